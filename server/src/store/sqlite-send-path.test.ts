import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { migrateToLatest } from "./migrations";
import type { Database } from "./schema";
import { createSqliteSendPath } from "./sqlite-send-path";

const opened: Array<Kysely<Database>> = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.destroy();
});

async function sendPathOnMemory() {
  const sqlite = new SQLite(":memory:");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  opened.push(db);
  await migrateToLatest(db);
  const user = sqlite.prepare(
    "insert into users (id, username, display_name, password_hash, created_at) values (?, ?, ?, 'x', '2026-01-01')",
  );
  for (const id of ["alice", "bob"]) user.run(id, id, id);
  return { sqlite, db, sendPath: createSqliteSendPath(sqlite, db) };
}

const send = (clientId: string) => ({
  id: `id-${clientId}`,
  conversationId: "dm:alice:bob",
  userA: "alice",
  userB: "bob",
  senderId: "alice",
  clientId,
  body: clientId,
  createdAt: "2026-01-01T00:00:00.000Z",
});

describe("the SQLite send path", () => {
  it("never writes into a transaction Kysely holds open: a send made meanwhile outlives its rollback", async () => {
    const { sqlite, db, sendPath } = await sendPathOnMemory();
    let sentDuring: Promise<unknown> | undefined;
    const rolledBack = db.transaction().execute(async (trx) => {
      await trx
        .insertInto("conversations")
        .values({ id: "dm:x:y", user_a: "alice", user_b: "bob", last_seq: 0, rev: 0, kind: "dm" })
        .execute();
      expect(sqlite.inTransaction).toBe(true);
      sentDuring = sendPath.appendMessages([send("during-edit")]);
      // Give the send every chance to run before the transaction ends.
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error("rolled back");
    });
    await expect(rolledBack).rejects.toThrow("rolled back");
    await sentDuring;

    expect(await sendPath.findMessageByClientId("alice", "during-edit")).toMatchObject({ seq: 1 });
    expect(sqlite.prepare("select id from conversations order by id").pluck().all()).toEqual(["dm:alice:bob"]);
  });
});

describe("a batch on the SQLite send path", () => {
  it("stores each message's mentions, the conversation's first included, and quotes replies to earlier ones", async () => {
    const { sqlite, sendPath } = await sendPathOnMemory();
    const results = await sendPath.appendMessages([
      { ...send("first"), body: "@Bob, @alice and @carol" },
      { ...send("first"), body: "a retry is the first message again" },
      { ...send("reply"), body: "no mention", replyToId: "id-first" },
    ]);
    expect(results.map(({ message, created }) => [message.clientId, created, message.mentions])).toEqual([
      ["first", true, ["bob", "alice"]],
      ["first", false, ["bob", "alice"]],
      ["reply", true, []],
    ]);
    expect(results[2]!.message.replyTo).toEqual({
      id: "id-first",
      seq: 1,
      senderId: "alice",
      excerpt: "@Bob, @alice and @carol",
      deleted: false,
    });
    // The sender's own mention has no row.
    expect(sqlite.prepare("select message_id, seq, user_id from message_mentions").all()).toEqual([
      { message_id: "id-first", seq: 1, user_id: "bob" },
    ]);
  });
});

describe("a group's batch on the SQLite send path", () => {
  async function groupOfAliceWithBobGone() {
    const opened = await sendPathOnMemory();
    opened.sqlite.exec(`
      insert into conversations (id, user_a, user_b, last_seq, rev, kind) values ('grp:g1', 'alice', 'alice', 1, 1, 'group');
      insert into conversation_members (conversation_id, user_id, joined_seq, left_seq) values ('grp:g1', 'alice', 1, null), ('grp:g1', 'bob', 1, 1);
    `);
    return opened;
  }
  const groupSend = (senderId: string, clientId: string, conversationId = "grp:g1") => ({
    id: `id-${clientId}`,
    conversationId,
    senderId,
    clientId,
    body: `@bob ${clientId}`,
    createdAt: "2026-01-01T00:00:00.000Z",
  });
  const counters = (sqlite: SQLite.Database, id = "grp:g1") =>
    sqlite.prepare("select last_seq, rev from conversations where id = ?").get(id);

  it("numbers a batch's new messages in order, refusing one who left and answering a repeat with the first", async () => {
    const { sqlite, sendPath } = await groupOfAliceWithBobGone();
    const results = await sendPath.appendGroupMessages([
      groupSend("alice", "hello"),
      groupSend("bob", "after leaving"),
      groupSend("alice", "hello"),
      groupSend("alice", "again"),
    ]);
    expect(results.map((r) => r && [r.message.clientId, r.message.seq, r.created, r.memberIds])).toEqual([
      ["hello", 2, true, ["alice"]],
      null,
      ["hello", 2, false, []],
      ["again", 3, true, ["alice"]],
    ]);
    expect(results[0]!.message).toMatchObject({ rev: 2, mentions: [] });
    expect(counters(sqlite)).toEqual({ last_seq: 3, rev: 3 });
    expect(
      sqlite.prepare("select user_id, sent_count from conversation_members where conversation_id = 'grp:g1'").all(),
    ).toEqual([
      { user_id: "alice", sent_count: 2 },
      { user_id: "bob", sent_count: 0 },
    ]);

    // A retry of a stored clientId is the stored message, and changes nothing.
    const [retried] = await sendPath.appendGroupMessages([groupSend("alice", "hello")]);
    expect(retried).toEqual({ created: false, memberIds: [], message: results[0]!.message });
    expect(counters(sqlite)).toEqual({ last_seq: 3, rev: 3 });
  });

  it("refuses a conversation that is no group, leaving every counter as it was", async () => {
    const { sqlite, sendPath } = await groupOfAliceWithBobGone();
    await sendPath.appendMessages([send("a dm")]);

    expect(await sendPath.appendGroupMessages([groupSend("alice", "to a dm", "dm:alice:bob")])).toEqual([null]);

    expect(counters(sqlite)).toEqual({ last_seq: 1, rev: 1 });
    expect(counters(sqlite, "dm:alice:bob")).toEqual({ last_seq: 1, rev: 1 });
    expect(sqlite.prepare("select sent_count from conversation_members where user_id = 'alice'").pluck().all()).toEqual(
      [1, 0],
    );
    expect(sqlite.prepare("select count(*) from messages").pluck().get()).toBe(1);
  });
});
