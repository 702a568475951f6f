import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationIdFor } from "../../shared/protocol";
import type { ConversationSummary, DmSummary, HistoryResponse } from "../../shared/protocol";
import { connectClient, emitAck, http, registerUser, seedMessages, sendMessage, startServer } from "./helpers";
import type { TestServer, TestUser } from "./helpers";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000" });
  [alice, bob] = await Promise.all([registerUser(server, "Alice"), registerUser(server, "Bob")]);
  await seedMessages(server, alice.user, bob.user, 600);
});
afterAll(() => server.close());

function page(query: string, token = alice.token, peerId = bob.user.id) {
  return http<HistoryResponse & { error: { code: string } }>(
    server,
    "GET",
    `/api/conversations/${peerId}/messages${query}`,
    { token },
  );
}
const seqs = (res: { body: HistoryResponse }) => res.body.messages.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("GET /api/conversations/:peerId/messages", () => {
  it("returns the newest 50 in ascending seq by default", async () => {
    const res = await page("");
    expect(res.status).toBe(200);
    expect(seqs(res)).toEqual(range(551, 600));
    expect(res.body.hasMore).toBe(true);
  });

  it("pages backwards with beforeSeq and clamps the limit to 200", async () => {
    expect(seqs(await page("?beforeSeq=11&limit=5"))).toEqual(range(6, 10));
    const clamped = await page("?beforeSeq=601&limit=1000");
    expect(seqs(clamped)).toEqual(range(401, 600));
    expect(clamped.body.hasMore).toBe(true);
    const first = await page("?beforeSeq=4");
    expect(seqs(first)).toEqual([1, 2, 3]);
    expect(first.body.hasMore).toBe(false);
  });

  it("pages forwards with afterSeq and clamps the limit to 500", async () => {
    const res = await page("?afterSeq=0&limit=1000");
    expect(seqs(res)).toEqual(range(1, 500));
    expect(res.body.hasMore).toBe(true);
    const tail = await page("?afterSeq=590");
    expect(seqs(tail)).toEqual(range(591, 600));
    expect(tail.body.hasMore).toBe(false);
  });

  it("reads the same conversation from both sides", async () => {
    expect(seqs(await page("?afterSeq=595", bob.token, alice.user.id))).toEqual(range(596, 600));
  });

  it.each(["?beforeSeq=5&afterSeq=1", "?limit=0", "?beforeSeq=-1", "?afterSeq=abc", "?limit=2.5"])(
    "answers 400 VALIDATION for %s",
    async (query) => {
      const res = await page(query);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION");
    },
  );

  it.each(["nobody", "not%20an%20id", "dm:a:b"])("answers 404 NOT_FOUND for the unknown peer %s", async (peerId) => {
    const res = await page("", alice.token, peerId);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
  });

  it("is empty before the first message", async () => {
    const carol = await registerUser(server);
    const res = await page("", alice.token, carol.user.id);
    expect(res.body).toEqual({ messages: [], hasMore: false });
  });

  it("sends the pages listMessages reads, byte for byte, whatever the store writes them with", async () => {
    const [carol, dave] = await Promise.all([registerUser(server), registerUser(server)]);
    // Bodies JSON must escape, both senders, an edit, a delete, replies, and a conversation with oneself.
    const bodies = ['quote " and \\ backslash', "tab\tnew\nline", "emoji 🎉 é 中文", "\u2028 \u007f </script>"];
    await seedMessages(server, carol.user, dave.user, 4, (i) => bodies[i - 1]!);
    await seedMessages(server, dave.user, carol.user, 3);
    await seedMessages(server, carol.user, carol.user, 2);
    const conversationId = conversationIdFor(carol.user.id, dave.user.id);
    const { messages } = await server.store.listMessages(conversationId, { limit: 10 });
    // Replies (v2 §4) to a message with a long body, one edited, one deleted; a mention.
    const [userA, userB] = [carol.user.id, dave.user.id].sort() as [string, string];
    await server.store.appendMessages(
      [messages[0]!, messages[1]!, messages[4]!, messages[2]!].map((parent, i) => ({
        id: `reply${i}${randomUUID().slice(0, 8)}`,
        conversationId,
        userA,
        userB,
        senderId: dave.user.id,
        clientId: randomUUID(),
        body: `reply ${i} @${carol.user.username}`,
        createdAt: new Date().toISOString(),
        replyToId: parent.id,
      })),
    );
    await server.store.updateMessage(messages[2]!, {
      body: `${'🎉 " '.repeat(40)}end`,
      editedAt: new Date().toISOString(),
    });
    await server.store.updateMessage(messages[1]!, { body: "edited", editedAt: new Date().toISOString() });
    await server.store.updateMessage(messages[4]!, { body: "", deletedAt: new Date().toISOString() });

    for (const [id, peer] of [
      [conversationId, dave.user.id],
      [conversationIdFor(carol.user.id, carol.user.id), carol.user.id],
    ])
      for (const query of [
        { limit: 50 },
        { limit: 3 },
        { beforeSeq: 6, limit: 2 },
        { afterSeq: 1, limit: 4 },
        { afterSeq: 6, limit: 5 },
      ]) {
        const read = await server.store.listMessages(id!, query);
        if (query.limit === 50 && id === conversationId) {
          expect(read.messages.filter((m) => m.replyTo).map((m) => [m.replyTo!.deleted, m.mentions])).toEqual([
            [false, [carol.user.id]],
            [false, [carol.user.id]],
            [true, [carol.user.id]],
            [false, [carol.user.id]],
          ]);
        }
        expect(await server.store.listMessagesJson(id!, query)).toBe(JSON.stringify(read));
        const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
        expect((await page(`?${search}`, carol.token, peer)).body).toEqual(read);
      }
  });
});

describe("conversation:join", () => {
  it("returns the newest 50 without afterSeq, and catches up from afterSeq", async () => {
    const socket = await connectClient(server, bob.token);
    const latest = await emitAck(socket, "conversation:join", { peerId: alice.user.id });
    if (!latest.ok) throw new Error(latest.error.message);
    expect(latest.messages.map((m) => m.seq)).toEqual(range(551, 600));
    expect(latest.hasMore).toBe(true);

    const catchUp = await emitAck(socket, "conversation:join", { peerId: alice.user.id, afterSeq: 580 });
    expect(catchUp.ok && catchUp.messages.map((m) => m.seq)).toEqual(range(581, 600));
    expect(catchUp.ok && catchUp.hasMore).toBe(false);

    const big = await emitAck(socket, "conversation:join", { peerId: alice.user.id, afterSeq: 0 });
    expect(big.ok && big.messages.map((m) => m.seq)).toEqual(range(1, 500));
    expect(big.ok && big.hasMore).toBe(true);
  });

  it("creates nothing: a joined conversation without messages is not listed", async () => {
    const dave = await registerUser(server);
    const socket = await connectClient(server, dave.token);
    const join = await emitAck(socket, "conversation:join", { peerId: alice.user.id });
    expect(join.ok && join).toMatchObject({
      messages: [],
      hasMore: false,
      readSeq: 0,
      peerReadSeq: 0,
      peerDeliveredSeq: 0,
    });
    const list = await http<{ conversations: ConversationSummary[] }>(server, "GET", "/api/conversations", {
      token: dave.token,
    });
    expect(list.body.conversations).toEqual([]);
  });

  it("answers NOT_FOUND for an unknown peer and VALIDATION for a malformed one", async () => {
    const socket = await connectClient(server, bob.token);
    expect(await emitAck(socket, "conversation:join", { peerId: "nobody" })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
    expect(await emitAck(socket, "conversation:join", { peerId: "a:b" })).toMatchObject({
      ok: false,
      error: { code: "VALIDATION" },
    });
    expect(await emitAck(socket, "conversation:join", { peerId: alice.user.id, afterSeq: -1 })).toMatchObject({
      ok: false,
      error: { code: "VALIDATION" },
    });
  });

  it("conversation:leave leaves the conversation room but keeps the user room", async () => {
    const erin = await registerUser(server);
    const socket = await connectClient(server, alice.token);
    await emitAck(socket, "conversation:join", { peerId: erin.user.id });
    expect(await emitAck(socket, "conversation:leave", { peerId: erin.user.id })).toEqual({ ok: true });
    // The client's socket id is also the server-side id in Socket.IO 4.
    const onServer = server.app.io.of("/").sockets.get(socket.id ?? "");
    expect([...(onServer?.rooms ?? [])]).toEqual([socket.id, `user:${alice.user.id}`]);
  });

  it("conversation:leave answers NOT_FOUND for a peer that names no user", async () => {
    const socket = await connectClient(server, alice.token);
    expect(await emitAck(socket, "conversation:leave", { peerId: "nobody-here" })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
  });
});

describe("GET /api/conversations", () => {
  it("lists conversations with messages, newest activity first, with unread counts from the read watermark", async () => {
    const [me, p1, p2] = await Promise.all([
      registerUser(server, "Me"),
      registerUser(server, "Peer One"),
      registerUser(server, "Peer Two"),
    ]);
    const [s, s1, s2] = await Promise.all([
      connectClient(server, me.token),
      connectClient(server, p1.token),
      connectClient(server, p2.token),
    ]);

    await sendMessage(s1, me.user.id, "one");
    await sendMessage(s1, me.user.id, "two");
    await sendMessage(s, p1.user.id, "mine does not count");
    await sendMessage(s2, me.user.id, "latest");

    const list = async () =>
      (await http<{ conversations: DmSummary[] }>(server, "GET", "/api/conversations", { token: me.token })).body
        .conversations;
    let conversations = await list();
    expect(conversations.map((c) => c.peer.displayName)).toEqual(["Peer Two", "Peer One"]);
    expect(conversations[0]).toMatchObject({
      unreadCount: 1,
      readSeq: 0,
      peerReadSeq: 0,
      lastMessage: { body: "latest", seq: 1 },
    });
    expect(conversations[1]).toMatchObject({
      unreadCount: 2,
      lastMessage: { body: "mine does not count", seq: 3 },
      peer: { id: p1.user.id, online: true },
    });

    expect(await emitAck(s, "conversation:receipt", { peerId: p1.user.id, readSeq: 1 })).toEqual({ ok: true });
    await sendMessage(s1, me.user.id, "newest again");
    conversations = await list();
    expect(conversations.map((c) => c.peer.displayName)).toEqual(["Peer One", "Peer Two"]);
    expect(conversations[0]).toMatchObject({
      unreadCount: 2,
      readSeq: 1,
      conversationId: expect.stringMatching(/^dm:/),
    });

    const peerView = (
      await http<{ conversations: ConversationSummary[] }>(server, "GET", "/api/conversations", { token: p1.token })
    ).body.conversations;
    expect(peerView[0]).toMatchObject({
      peer: { id: me.user.id },
      unreadCount: 1,
      readSeq: 0,
      peerReadSeq: 1,
      peerDeliveredSeq: 1,
    });
  });
});
