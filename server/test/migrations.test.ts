import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createStore } from "../src/store";
import type { Store } from "../src/store";
import { migrations } from "../src/store/migrations";
import { SQLITE_FILE } from "../src/store/sqlite";
import { testDatabaseEnv } from "./helpers";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A database migrated up to `name` only, and the settings that open it with the current code. */
async function databaseAt(name: string) {
  const dataDir = await mkdtemp(join(tmpdir(), "parley-migrate-"));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const databaseUrl = (await testDatabaseEnv(dataDir)).DATABASE_URL;
  const db = new Kysely<unknown>({
    dialect: databaseUrl
      ? new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 1 }) })
      : new SqliteDialect({ database: new SQLite(join(dataDir, SQLITE_FILE)) }),
  });
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateTo(name);
  if (error) throw error;
  return { db, settings: { dataDir, databaseUrl, databasePoolSize: 2 } };
}

describe("migration 0003 (unread counters)", () => {
  it("backfills the counters so existing conversations list the same unread counts, and sends continue them", async () => {
    const { db, settings } = await databaseAt("0002_revisions");
    const at = "2026-01-01T00:00:00.000Z";
    for (const id of ["ann", "ben"])
      await sql`insert into users (id, username, display_name, password_hash, created_at) values (${id}, ${id + "_user"}, ${id}, 'x', ${at})`.execute(
        db,
      );
    const conversationId = "dm:ann:ben";
    // seq: 1 ann, 2 ben, 3 ben, 4 ann, 5 ben, 6 ben (deleted), 7 ann
    const senders = ["ann", "ben", "ben", "ann", "ben", "ben", "ann"];
    await sql`insert into conversations (id, user_a, user_b, last_seq, rev, last_message_at) values (${conversationId}, 'ann', 'ben', 7, 8, ${at})`.execute(
      db,
    );
    for (const [i, sender] of senders.entries()) {
      const seq = i + 1;
      await sql`insert into messages (id, conversation_id, seq, sender_id, client_id, body, created_at, deleted_at, rev)
        values (${`m${seq}`}, ${conversationId}, ${seq}, ${sender}, ${`client-${seq}`}, ${seq === 6 ? "" : `body ${seq}`}, ${at}, ${seq === 6 ? at : null}, ${seq === 6 ? 8 : seq})`.execute(
        db,
      );
    }
    // Ann has read up to 3 (ben's 5 and 6 are unread), Ben up to 1 (ann's 4 and 7 are unread).
    await sql`insert into conversation_members (conversation_id, user_id, delivered_seq, read_seq) values (${conversationId}, 'ann', 3, 3), (${conversationId}, 'ben', 1, 1)`.execute(
      db,
    );
    await db.destroy();

    const store: Store = await createStore(settings);
    cleanups.push(() => store.close());
    const unread = async (userId: string) => (await store.listConversations(userId))[0]!.unreadCount;
    expect(await unread("ann")).toBe(2);
    expect(await unread("ben")).toBe(2);

    // Ben reads up to ann's message 4; then both send.
    await store.advanceWatermarks(conversationId, "ben", { readSeq: 4 });
    expect(await unread("ben")).toBe(1);
    const base = { conversationId, userA: "ann", userB: "ben", createdAt: at };
    await store.appendMessages([
      { ...base, id: "m8", senderId: "ben", clientId: "client-8", body: "eight" },
      { ...base, id: "m9", senderId: "ann", clientId: "client-9", body: "nine" },
    ]);
    expect(await unread("ann")).toBe(3);
    expect(await unread("ben")).toBe(2);
    // Ann reads everything but her own last message, which is hers anyway.
    await store.advanceWatermarks(conversationId, "ann", { readSeq: 8 });
    expect(await unread("ann")).toBe(0);
  });
});
