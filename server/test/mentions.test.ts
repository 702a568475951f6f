import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationIdFor } from "../../shared/protocol";
import type { ChangesResponse, DmSummary, Message } from "../../shared/protocol";
import {
  collect,
  connectedPair,
  emitAck,
  executeSql,
  fetchAllMessages,
  http,
  messageBarrier,
  newClientId,
  readTable,
  registerUser,
  sendMessage,
  startServer,
  waitFor,
} from "./helpers";
import type { ClientSocket, TestServer, TestUser } from "./helpers";

// Protocol v2 §4 (mentions) and §6 (mentionCount in the conversation list).

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000" });
});
afterAll(() => server.close());

const newPair = () => connectedPair(server);

const at = (user: TestUser) => `@${user.user.username}`;

/** The message_mentions rows of a conversation, ordered: who is mentioned where. */
async function mentionRows(conversationId: string) {
  const rows = await readTable(server, "message_mentions");
  return rows
    .filter((row) => row.conversation_id === conversationId)
    .map((row) => ({ messageId: row.message_id, seq: Number(row.seq), userId: row.user_id }))
    .sort((x, y) => x.seq - y.seq || String(x.userId).localeCompare(String(y.userId)));
}

async function mentionCount(user: TestUser, peer: TestUser): Promise<number> {
  const res = await http<{ conversations: DmSummary[] }>(server, "GET", "/api/conversations", { token: user.token });
  return res.body.conversations.find((c) => c.peer.id === peer.user.id)!.mentionCount;
}

async function edit(socket: ClientSocket, messageId: string, body: string): Promise<Message> {
  const res = await emitAck(socket, "message:edit", { messageId, body });
  if (!res.ok) throw new Error(res.error.message);
  return res.message;
}

async function remove(socket: ClientSocket, messageId: string): Promise<Message> {
  const res = await emitAck(socket, "message:delete", { messageId });
  if (!res.ok) throw new Error(res.error.message);
  return res.message;
}

async function read(socket: ClientSocket, peer: TestUser, readSeq: number): Promise<void> {
  expect(await emitAck(socket, "conversation:receipt", { peerId: peer.user.id, readSeq })).toEqual({ ok: true });
}

describe("mentions on send", () => {
  it("are the members the body names, in order of first appearance, once each; only others get a row", async () => {
    const { alice, bob, a, b, dm } = await newPair();
    const carol = await registerUser(server);
    const arrived = waitFor(b, "message:new");
    // The conversation's first message: its member rows come in the same transaction.
    const body = `${at(bob).toUpperCase()}, hi ${at(alice)}. cc ${at(carol)} and mail${at(bob)} ${at(bob)}.`;
    const sent = await sendMessage(a, bob.user.id, body);
    expect(sent.mentions).toEqual([bob.user.id, alice.user.id]);
    expect(await arrived).toEqual(sent);
    expect((await fetchAllMessages(server.url, bob.token, alice.user.id))[0]!.mentions).toEqual(sent.mentions);
    expect(await mentionRows(dm)).toEqual([{ messageId: sent.id, seq: 1, userId: bob.user.id }]);
    // A retry returns the stored message and stores no second row.
    expect(await emitAck(a, "message:send", { peerId: bob.user.id, clientId: sent.clientId, body })).toEqual({
      ok: true,
      message: sent,
    });
    expect(await mentionRows(dm)).toHaveLength(1);
  });

  it("are none without '@', for strangers, and for e-mail-like text; none in a DM with oneself but oneself", async () => {
    const { alice, bob, a, dm } = await newPair();
    const carol = await registerUser(server);
    for (const body of ["no at sign at all", `${at(carol)} is not here`, `write to x${at(bob)}`, "@ alone"]) {
      expect((await sendMessage(a, bob.user.id, body)).mentions).toEqual([]);
    }
    expect(await mentionRows(dm)).toEqual([]);

    const self = await sendMessage(a, alice.user.id, `note to ${at(alice)}, not ${at(bob)}`);
    expect(self.mentions).toEqual([alice.user.id]);
    expect(await mentionRows(conversationIdFor(alice.user.id, alice.user.id))).toEqual([]);
    expect(await mentionCount(alice, alice)).toBe(0);
  });

  it("are right for every message of concurrent batches", async () => {
    const { alice, bob, a, b, dm } = await newPair();
    const bodies = Array.from({ length: 30 }, (_, i) =>
      i % 3 === 0 ? `${i} ${at(bob)}` : i % 3 === 1 ? `${i} ${at(alice)} and ${at(bob)}` : `${i} plain`,
    );
    const sent = await Promise.all(
      bodies.map((body, i) => sendMessage(i % 2 === 0 ? a : b, i % 2 === 0 ? bob.user.id : alice.user.id, body)),
    );
    const expected = (m: Message) => {
      const i = Number(m.body.split(" ")[0]);
      return i % 3 === 0 ? [bob.user.id] : i % 3 === 1 ? [alice.user.id, bob.user.id] : [];
    };
    for (const m of sent) expect(m.mentions, m.body).toEqual(expected(m));
    const rows = sent.flatMap((m) =>
      m.mentions.filter((id) => id !== m.senderId).map((userId) => ({ messageId: m.id, seq: m.seq, userId })),
    );
    expect(await mentionRows(dm)).toEqual(rows.sort((x, y) => x.seq - y.seq || x.userId.localeCompare(y.userId)));
  });
});

describe("who may be mentioned", () => {
  it("is whoever has a member row that has not left, as in a group: on send and on edit", async () => {
    const { bob, a, dm } = await newPair();
    const [carol, dave] = await Promise.all([registerUser(server), registerUser(server)]);
    const first = await sendMessage(a, bob.user.id, "member rows come with the first message");
    // Member rows as a group has them (none of a DM's, which has exactly its two): carol is a member,
    // dave has left.
    for (const [user, leftSeq] of [
      [carol, null],
      [dave, 1],
    ] as const) {
      await executeSql(
        server,
        "insert into conversation_members (conversation_id, user_id, left_seq) values (?, ?, ?)",
        [dm, user.user.id, leftSeq],
      );
    }
    const body = `${at(dave)} ${at(carol)} ${at(bob)}`;
    const sent = await sendMessage(a, bob.user.id, body);
    expect(sent.mentions).toEqual([carol.user.id, bob.user.id]);
    const edited = await edit(a, first.id, body);
    expect(edited.mentions).toEqual([carol.user.id, bob.user.id]);
    expect((await mentionRows(dm)).map((row) => [row.seq, row.userId])).toEqual(
      [
        [1, bob.user.id],
        [1, carol.user.id],
        [2, bob.user.id],
        [2, carol.user.id],
      ].sort(([s1, u1], [s2, u2]) => Number(s1) - Number(s2) || String(u1).localeCompare(String(u2))),
    );
  });
});

describe("mentions on edit and delete", () => {
  it("are recomputed from the new body on every path, and removed with the message", async () => {
    const { alice, bob, a, b, dm } = await newPair();
    const message = await sendMessage(a, bob.user.id, "hello");
    const updates = collect(b, "message:updated");

    const mentioning = await edit(a, message.id, `hello ${at(bob)}`);
    expect(mentioning.mentions).toEqual([bob.user.id]);
    expect(await mentionRows(dm)).toEqual([{ messageId: message.id, seq: 1, userId: bob.user.id }]);

    const selfOnly = await edit(a, message.id, `hello ${at(alice)}`);
    expect(selfOnly.mentions).toEqual([alice.user.id]);
    expect(await mentionRows(dm)).toEqual([]);

    const again = await edit(a, message.id, `${at(bob)} ${at(alice)}`);
    expect(again.mentions).toEqual([bob.user.id, alice.user.id]);
    const changes = await http<ChangesResponse>(server, "GET", `/api/conversations/${alice.user.id}/changes`, {
      token: bob.token,
    });
    expect(changes.body.messages[0]!.mentions).toEqual(again.mentions);

    const tombstone = await remove(a, message.id);
    expect(tombstone.mentions).toEqual([]);
    expect(await mentionRows(dm)).toEqual([]);
    expect((await fetchAllMessages(server.url, bob.token, alice.user.id))[0]!.mentions).toEqual([]);

    await messageBarrier(a, bob.user.id, [b]);
    expect(updates).toEqual([mentioning, selfOnly, again, tombstone]);
  });

  it("are left as they were by a refused edit or send", async () => {
    const { alice, bob, a, b, dm } = await newPair();
    const message = await sendMessage(a, bob.user.id, `hi ${at(bob)}`);
    const before = await mentionRows(dm);

    // The peer may not edit it; a deleted message cannot be edited; a refused send stores nothing.
    const forbidden = await emitAck(b, "message:edit", { messageId: message.id, body: `${at(alice)}` });
    expect(!forbidden.ok && forbidden.error.code).toBe("FORBIDDEN");
    const refused = await emitAck(b, "message:send", {
      peerId: alice.user.id,
      clientId: newClientId(),
      body: `${at(alice)} ${at(bob)}`,
      replyToId: "no-such-message",
    });
    expect(!refused.ok && refused.error.code).toBe("NOT_FOUND");
    const tooLong = await emitAck(a, "message:edit", {
      messageId: message.id,
      body: `${at(alice)} ${"x".repeat(4000)}`,
    });
    expect(!tooLong.ok && tooLong.error.code).toBe("VALIDATION");
    expect(await mentionRows(dm)).toEqual(before);
    expect((await server.store.findMessageById(message.id))!.mentions).toEqual([bob.user.id]);
    expect(await mentionCount(bob, alice)).toBe(1);

    await remove(a, message.id);
    const late = await emitAck(a, "message:edit", { messageId: message.id, body: `${at(bob)}` });
    expect(!late.ok && late.error.code).toBe("VALIDATION");
    expect(await mentionRows(dm)).toEqual([]);
  });
});

describe("mentionCount in GET /api/conversations", () => {
  it("counts the messages above my read watermark that mention me, going up and down with reads, deletes and edits", async () => {
    const { alice, bob, a, b } = await newPair();
    const first = await sendMessage(a, bob.user.id, `${at(bob)} one`);
    const plain = await sendMessage(a, bob.user.id, "plain");
    const third = await sendMessage(a, bob.user.id, `two, ${at(bob)}, ${at(bob)} twice in one message`);
    expect(await mentionCount(bob, alice)).toBe(2);
    expect(await mentionCount(alice, bob)).toBe(0);

    await read(b, alice, first.seq);
    expect(await mentionCount(bob, alice)).toBe(1);
    await remove(a, third.id);
    expect(await mentionCount(bob, alice)).toBe(0);

    const fourth = await sendMessage(a, bob.user.id, `${at(bob)} four`);
    expect(await mentionCount(bob, alice)).toBe(1);
    await edit(a, fourth.id, "four, no longer mentioning");
    expect(await mentionCount(bob, alice)).toBe(0);
    // An edit can add one too, above the watermark.
    await edit(a, plain.id, `now ${at(bob)}`);
    expect(await mentionCount(bob, alice)).toBe(1);
    // Or below it: read messages never count.
    await edit(a, first.id, `${at(bob)} still`);
    expect(await mentionCount(bob, alice)).toBe(1);

    // Mentions of alice by bob count for alice only.
    await sendMessage(b, alice.user.id, `${at(alice)} back`);
    expect(await mentionCount(alice, bob)).toBe(1);
    expect(await mentionCount(bob, alice)).toBe(1);

    const last = await sendMessage(a, bob.user.id, "the end");
    await read(b, alice, last.seq);
    expect(await mentionCount(bob, alice)).toBe(0);
    expect(await mentionCount(alice, bob)).toBe(1);
  });
});
