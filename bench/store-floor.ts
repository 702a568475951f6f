// What storing a message costs in SQLite at best, by the shape of the tables it goes into: the
// server's own store beside leaner shapes that still keep in the database what a send needs (a
// clientId unique per sender, a seq per conversation taken from the conversation's row), and beside
// an append to a table with no index at all. CPU µs a message (every thread's), batches made as the
// steady load makes them (500 pairs, a random pair's message each time), shapes taking turns.
//   npx tsx bench/store-floor.ts
//   BENCH_SEND_BATCH=250 npx tsx bench/store-floor.ts
//   BENCH_FLOOR_MEMORY=1 npx tsx bench/store-floor.ts   # the leaner shapes in memory: their B-trees without I/O
import { rmSync } from "node:fs";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { createSqliteStore } from "../server/src/store/sqlite";
import type { NewMessage } from "../server/src/store/types";
import { median } from "./stats";
import { processCpuMicros, seedSteadyDatabase, steadyBatch } from "./steady-sends";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const BATCH = env("BENCH_SEND_BATCH", 11); // the server's median batch under the steady load
const MESSAGES_PER_ROUND = env("BENCH_FLOOR_MESSAGES", 30_000);
const ROUNDS = env("BENCH_SEND_ROUNDS", 4);
const IN_MEMORY = process.env.BENCH_FLOOR_MEMORY === "1";
const CHECKPOINT_INTERVAL_MS = 3000; // as the server's checkpointer

interface Shape {
  name: string;
  write(batch: NewMessage[]): unknown;
  /** The WAL copied back into the database, for shapes without the server's checkpointer. */
  checkpoint(): void;
  close(): unknown;
}

const { dataDir, userIds } = await seedSteadyDatabase("store-floor");

function openRaw(name: string): SQLite.Database {
  const sqlite = new SQLite(IN_MEMORY ? ":memory:" : join(dataDir, `${name}.db`));
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("wal_autocheckpoint = 0");
  return sqlite;
}

/** A raw shape's checkpoint and close, on its own connection. */
const rawUpkeep = (sqlite: SQLite.Database) => ({
  checkpoint: () => void sqlite.pragma("wal_checkpoint(PASSIVE)"),
  close: () => sqlite.close(),
});

/** The server's store as the server runs it: its migrations' tables, its send path, its checkpointer. */
async function parleyShape(): Promise<Shape> {
  const store = await createSqliteStore(dataDir);
  return { name: "Parley's store", write: (batch) => store.appendMessages(batch), checkpoint() {}, close: store.close };
}

/** What a lean shape's conversation row gives a new message: its seq, its rev, its sender's ordinal. */
interface Numbers {
  last_seq: number;
  rev: number;
  ordinal: number;
}

/**
 * Two B-trees a message, keyed by text as Parley's are: messages clustered by (conversation, seq), the
 * (sender, clientId) key; the conversation's row numbers the message and counts each side's sends.
 * No rev index, no member row, no foreign keys, no index on the message's id.
 */
function textKeysShape(): Shape {
  const sqlite = openRaw("text-keys");
  sqlite.exec(`
    create table conversations (id text primary key, user_a text not null, user_b text not null,
      last_seq integer not null, rev integer not null, sent_a integer not null, sent_b integer not null,
      last_message_at text not null);
    create table messages (conversation_id text not null, seq integer not null, id text not null,
      sender_id text not null, client_id text not null, body text not null, created_at text not null,
      rev integer not null, sender_ordinal integer not null,
      primary key (conversation_id, seq), unique (sender_id, client_id)) without rowid;`);
  const stored = sqlite.prepare("select * from messages where sender_id = ? and client_id = ?");
  const bump = sqlite.prepare<{ c: string; a: string; b: string; s: string; t: string }, Numbers>(`
    insert into conversations values (@c, @a, @b, 1, 1, @s = @a, @s = @b, @t)
    on conflict (id) do update set last_seq = last_seq + 1, rev = rev + 1, sent_a = sent_a + (@s = user_a),
      sent_b = sent_b + (@s = user_b), last_message_at = @t
    returning last_seq, rev, case when @s = user_a then sent_a else sent_b end as ordinal`);
  const insert = sqlite.prepare("insert into messages values (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const write = sqlite.transaction((batch: NewMessage[]) => {
    for (const m of batch) {
      if (stored.get(m.senderId, m.clientId)) continue;
      const n = bump.get({ c: m.conversationId, a: m.userA, b: m.userB, s: m.senderId, t: m.createdAt })!;
      insert.run(m.conversationId, n.last_seq, m.id, m.senderId, m.clientId, m.body, m.createdAt, n.rev, n.ordinal);
    }
  });
  return { name: "2 B-trees, text keys", write, ...rawUpkeep(sqlite) };
}

/** The same two B-trees and counters, keyed by integers: users and conversations by their rowids. */
function integerKeysShape(): Shape {
  const sqlite = openRaw("integer-keys");
  sqlite.exec(`
    create table conversations (n integer primary key, id text not null unique, user_a integer not null,
      user_b integer not null, last_seq integer not null default 0, rev integer not null default 0,
      sent_a integer not null default 0, sent_b integer not null default 0, last_message_at text);
    create table messages (conversation_n integer not null, seq integer not null, id text not null,
      sender_n integer not null, client_id text not null, body text not null, created_at text not null,
      rev integer not null, sender_ordinal integer not null,
      primary key (conversation_n, seq), unique (sender_n, client_id)) without rowid;`);
  const userNumber = new Map(userIds.map((id, i) => [id, i + 1]));
  const conversationNumber = new Map<string, number>();
  const stored = sqlite.prepare("select * from messages where sender_n = ? and client_id = ?");
  const create = sqlite.prepare<[string, number, number], { n: number }>(
    "insert into conversations (id, user_a, user_b) values (?, ?, ?) returning n",
  );
  const bump = sqlite.prepare<{ c: number; s: number; t: string }, Numbers>(`
    update conversations set last_seq = last_seq + 1, rev = rev + 1, sent_a = sent_a + (@s = user_a),
      sent_b = sent_b + (@s = user_b), last_message_at = @t
    where n = @c returning last_seq, rev, case when @s = user_a then sent_a else sent_b end as ordinal`);
  const insert = sqlite.prepare("insert into messages values (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const write = sqlite.transaction((batch: NewMessage[]) => {
    for (const m of batch) {
      const sender = userNumber.get(m.senderId)!;
      if (stored.get(sender, m.clientId)) continue;
      let c = conversationNumber.get(m.conversationId);
      if (c === undefined) {
        c = create.get(m.conversationId, userNumber.get(m.userA)!, userNumber.get(m.userB)!)!.n;
        conversationNumber.set(m.conversationId, c);
      }
      const n = bump.get({ c, s: sender, t: m.createdAt })!;
      insert.run(c, n.last_seq, m.id, sender, m.clientId, m.body, m.createdAt, n.rev, n.ordinal);
    }
  });
  return { name: "2 B-trees, integer keys", write, ...rawUpkeep(sqlite) };
}

/** The floor: each message appended to a table with no index, nothing read, nothing numbered. */
function appendOnlyShape(): Shape {
  const sqlite = openRaw("append-only");
  sqlite.exec(`create table messages (conversation_id text not null, id text not null, sender_id text not null,
    client_id text not null, body text not null, created_at text not null)`);
  const insert = sqlite.prepare("insert into messages values (?, ?, ?, ?, ?, ?)");
  const write = sqlite.transaction((batch: NewMessage[]) => {
    for (const m of batch) insert.run(m.conversationId, m.id, m.senderId, m.clientId, m.body, m.createdAt);
  });
  return { name: "append, no index", write, ...rawUpkeep(sqlite) };
}

/** CPU µs a message over one round; a turn of the event loop after each batch, as the server's batcher. */
async function round(shape: Shape): Promise<number> {
  const batches = Array.from({ length: Math.ceil(MESSAGES_PER_ROUND / BATCH) }, () => steadyBatch(userIds, BATCH));
  let checkpointed = Date.now();
  const start = processCpuMicros();
  for (const messages of batches) {
    await shape.write(messages);
    if (Date.now() - checkpointed >= CHECKPOINT_INTERVAL_MS) {
      shape.checkpoint();
      checkpointed = Date.now();
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  shape.checkpoint();
  return (processCpuMicros() - start) / (batches.length * BATCH);
}

const shapes = [...(IN_MEMORY ? [] : [await parleyShape()]), textKeysShape(), integerKeysShape(), appendOnlyShape()];
const costs = new Map<Shape, number[]>(shapes.map((shape) => [shape, []]));
for (const shape of shapes) await round(shape); // warm-up
for (let i = 0; i < ROUNDS; i++) for (const shape of shapes) costs.get(shape)!.push(await round(shape));
for (const shape of shapes) await shape.close();
rmSync(dataDir, { recursive: true, force: true });

console.log(
  `batches of ${BATCH}, ${ROUNDS} rounds of ${MESSAGES_PER_ROUND} messages each, ${IN_MEMORY ? "in memory" : "on disk"}`,
);
console.log("| shape | CPU µs a message, median | rounds |\n|---|---|---|");
for (const [shape, values] of costs) {
  console.log(`| ${shape.name} | ${median(values).toFixed(1)} | ${values.map((v) => v.toFixed(1)).join(", ")} |`);
}
