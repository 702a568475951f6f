import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIMITS, conversationIdFor } from "../../shared/protocol";
import type { ChangesResponse, DmSummary, JoinPayload, Message, ReplyQuote } from "../../shared/protocol";
import {
  collect,
  connectedPair,
  connectClient,
  emitAck,
  executeSql,
  fetchAllMessages,
  http,
  messageBarrier,
  newClientId,
  registerUser,
  seedMessages,
  sendMessage,
  startServer,
  waitFor,
} from "./helpers";
import type { ClientSocket, ConnectedPair, TestServer, TestUser } from "./helpers";

// Protocol v2 §4: replies (replyToId, the replyTo quote built when read) and attachmentIds on send.

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000" });
});
afterAll(() => server.close());

const newPair = () => connectedPair(server);

async function reply(socket: ClientSocket, peerId: string, replyToId: string, body = "a reply"): Promise<Message> {
  const res = await emitAck(socket, "message:send", { peerId, clientId: newClientId(), body, replyToId });
  if (!res.ok) throw new Error(`reply failed: ${res.error.code} ${res.error.message}`);
  return res.message;
}

const quoteOf = (parent: Message): ReplyQuote => ({
  id: parent.id,
  seq: parent.seq,
  senderId: parent.senderId,
  excerpt: Array.from(parent.body).slice(0, LIMITS.replyExcerptCodePoints).join(""),
  deleted: parent.deletedAt !== null,
});

async function join(socket: ClientSocket, payload: JoinPayload) {
  const res = await emitAck(socket, "conversation:join", payload);
  if (!res.ok) throw new Error(res.error.message);
  return res;
}

async function changes(user: TestUser, peerId: string, sinceRev = 0): Promise<Message[]> {
  const res = await http<ChangesResponse>(server, "GET", `/api/conversations/${peerId}/changes?sinceRev=${sinceRev}`, {
    token: user.token,
  });
  return res.body.messages;
}

async function listed(user: TestUser, peerId: string): Promise<DmSummary> {
  const res = await http<{ conversations: DmSummary[] }>(server, "GET", "/api/conversations", { token: user.token });
  return res.body.conversations.find((c) => c.peer.id === peerId)!;
}

/** The quote `reply` carries on every read path, as each of the pair sees it: they must all agree. */
async function quotesEverywhere({ alice, bob, a, b }: ConnectedPair, replyId: string): Promise<(ReplyQuote | null)[]> {
  const quotes: (ReplyQuote | null)[] = [];
  const pick = (messages: Message[]) => messages.find((m) => m.id === replyId)!.replyTo;
  for (const [user, socket, peer] of [
    [alice, a, bob],
    [bob, b, alice],
  ] as const) {
    quotes.push(pick(await fetchAllMessages(server.url, user.token, peer.user.id)));
    quotes.push(pick((await join(socket, { peerId: peer.user.id })).messages));
    quotes.push(pick((await join(socket, { peerId: peer.user.id, afterSeq: 0 })).messages));
    quotes.push(pick(await changes(user, peer.user.id)));
    // Catch-up: every message is at or below afterSeq and above sinceRev 0, so all are in `changed`.
    const afterSeq = (await listed(user, peer.user.id)).lastMessage!.seq;
    quotes.push(pick((await join(socket, { peerId: peer.user.id, afterSeq, sinceRev: 0 })).changed));
    quotes.push(pick([(await listed(user, peer.user.id)).lastMessage!]));
  }
  quotes.push((await server.store.findMessageById(replyId))!.replyTo);
  return quotes;
}

/** What a refused send must leave as it was: both histories and the list, and the clientId unused. */
async function snapshot({ alice, bob }: ConnectedPair) {
  return {
    history: await fetchAllMessages(server.url, alice.token, bob.user.id),
    list: await listed(bob, alice.user.id),
  };
}

describe("a reply", () => {
  it("quotes its parent's first 100 code points on every read path, the same for both readers", async () => {
    const pair = await newPair();
    const { alice, bob, a, b } = pair;
    // 60 astral emoji (two UTF-16 units each) and 60 letters: the excerpt is 60 emoji and 40 letters.
    const parent = await sendMessage(a, bob.user.id, `${"🎉".repeat(60)}${"x".repeat(60)}`);
    const broadcast = waitFor(a, "message:new", (m) => m.replyTo !== null);
    const sent = await reply(b, alice.user.id, parent.id);
    const quote = quoteOf(parent);
    expect(quote.excerpt).toBe(`${"🎉".repeat(60)}${"x".repeat(40)}`);
    expect(sent.replyTo).toEqual(quote);
    expect(await broadcast).toEqual(sent);
    expect(await quotesEverywhere(pair, sent.id)).toEqual(Array(13).fill(quote));
    // Not a reply: no quote.
    expect((await server.store.findMessageById(parent.id))!.replyTo).toBeNull();
  });

  it("quotes a parent older than the reader's page, a reply, its own sender's message, and itself in a DM with oneself", async () => {
    const pair = await newPair();
    const { alice, bob, a, b } = pair;
    const parent = await sendMessage(a, bob.user.id, "short parent");
    await seedMessages(server, bob.user, alice.user, LIMITS.joinPageSize + 5);
    const child = await reply(b, alice.user.id, parent.id, "first reply");
    const grandchild = await reply(a, bob.user.id, child.id, "reply to a reply");
    const own = await reply(a, bob.user.id, grandchild.id, "replying to myself");

    const page = (await join(b, { peerId: alice.user.id })).messages;
    expect(page.some((m) => m.id === parent.id)).toBe(false);
    expect(page.find((m) => m.id === child.id)!.replyTo).toEqual(quoteOf(parent));
    // A quote is one level: the parent's own fields, not its parent's.
    expect(page.find((m) => m.id === grandchild.id)!.replyTo).toEqual(quoteOf(child));
    expect(page.find((m) => m.id === own.id)!.replyTo).toEqual(quoteOf(grandchild));

    const note = await sendMessage(a, alice.user.id, "note to self");
    const selfReply = await reply(a, alice.user.id, note.id);
    expect(selfReply.replyTo).toEqual(quoteOf(note));
    const history = await fetchAllMessages(server.url, alice.token, alice.user.id);
    expect(history.at(-1)!.replyTo).toEqual(quoteOf(note));
  });

  it("follows its parent's edit and delete on every read path, and is not sent again when they change", async () => {
    const pair = await newPair();
    const { alice, bob, a, b } = pair;
    const parent = await sendMessage(a, bob.user.id, "before the edit");
    const child = await reply(b, alice.user.id, parent.id);
    const seenByA = collect(a, "message:updated");
    const seenByB = collect(b, "message:updated");

    const edited = await emitAck(a, "message:edit", { messageId: parent.id, body: "after the edit ✏️" });
    if (!edited.ok) throw new Error(edited.error.message);
    expect(await quotesEverywhere(pair, child.id)).toEqual(Array(13).fill(quoteOf(edited.message)));

    const deleted = await emitAck(a, "message:delete", { messageId: parent.id });
    if (!deleted.ok) throw new Error(deleted.error.message);
    const tombstone = { ...quoteOf(parent), excerpt: "", deleted: true };
    expect(await quotesEverywhere(pair, child.id)).toEqual(Array(13).fill(tombstone));
    // The reply kept its rev: only the parent changed.
    expect((await server.store.findMessageById(child.id))!.rev).toBe(child.rev);

    await messageBarrier(a, bob.user.id, [a, b]);
    for (const seen of [seenByA, seenByB]) expect(seen.map((m) => m.id)).toEqual([parent.id, parent.id]);
  });

  it("keeps its quote when the reply itself is edited", async () => {
    const { alice, bob, a, b } = await newPair();
    const parent = await sendMessage(a, bob.user.id, "parent");
    const child = await reply(b, alice.user.id, parent.id);
    const edited = await emitAck(b, "message:edit", { messageId: child.id, body: "reply, edited" });
    expect(edited.ok && edited.message.replyTo).toEqual(quoteOf(parent));
  });
});

describe("a refused reply changes nothing", () => {
  async function expectRefused(pair: ConnectedPair, payload: Record<string, unknown>, code: string) {
    const before = await snapshot(pair);
    const clientId = newClientId();
    const res = await emitAck(pair.a, "message:send", {
      peerId: pair.bob.user.id,
      clientId,
      body: "refused",
      ...payload,
    });
    expect(res.ok ? "ok" : res.error.code).toBe(code);
    expect(await snapshot(pair)).toEqual(before);
    // The clientId was not stored: sent again without the bad field, it makes a new message.
    const later = await emitAck(pair.a, "message:send", { peerId: pair.bob.user.id, clientId, body: "fine" });
    expect(later.ok && later.message.body).toBe("fine");
  }

  it("NOT_FOUND: an unknown id, a stranger's message, a message of another of my conversations", async () => {
    const pair = await newPair();
    await sendMessage(pair.a, pair.bob.user.id, "so there is a conversation");
    const [carol, dave] = await Promise.all([registerUser(server), registerUser(server)]);
    const c = await connectClient(server, carol.token);
    const strangers = await sendMessage(c, dave.user.id, "between carol and dave");
    const a2 = await connectClient(server, pair.alice.token);
    const elsewhere = await sendMessage(a2, carol.user.id, "between alice and carol");

    await expectRefused(pair, { replyToId: "no-such-message" }, "NOT_FOUND");
    await expectRefused(pair, { replyToId: strangers.id }, "NOT_FOUND");
    await expectRefused(pair, { replyToId: elsewhere.id }, "NOT_FOUND");
  });

  it("VALIDATION: a deleted message, a system message, a malformed id", async () => {
    const pair = await newPair();
    const gone = await sendMessage(pair.b, pair.alice.user.id, "soon deleted");
    expect((await emitAck(pair.b, "message:delete", { messageId: gone.id })).ok).toBe(true);
    // No DM has system messages (groups do): one is written beside the server, past every seq.
    const systemId = randomUUID().replaceAll("-", "");
    await executeSql(
      server,
      `insert into messages (id, conversation_id, seq, sender_id, client_id, body, created_at, rev, sender_ordinal, kind, system)
       values (?, ?, ?, ?, ?, '', ?, 0, 0, 'system', ?)`,
      [
        systemId,
        pair.dm,
        1_000_000,
        pair.bob.user.id,
        `system-${systemId}`,
        new Date().toISOString(),
        JSON.stringify({ action: "created", userIds: [] }),
      ],
    );
    expect((await server.store.findMessageById(systemId))!.kind).toBe("system");

    await expectRefused(pair, { replyToId: gone.id }, "VALIDATION");
    await expectRefused(pair, { replyToId: systemId }, "VALIDATION");
    await expectRefused(pair, { replyToId: "" }, "VALIDATION");
    await expectRefused(pair, { replyToId: "dm:a:b" }, "VALIDATION");
    await expectRefused(pair, { replyToId: 42 }, "VALIDATION");
  });

  it("attachmentIds: none exists yet (NOT_FOUND); one listed twice or more than 10 (VALIDATION) before any lookup", async () => {
    const pair = await newPair();
    await sendMessage(pair.a, pair.bob.user.id, "so there is a conversation");
    await expectRefused(pair, { attachmentIds: ["upload1"] }, "NOT_FOUND");
    await expectRefused(pair, { attachmentIds: ["upload1", "upload2"] }, "NOT_FOUND");
    await expectRefused(pair, { attachmentIds: ["upload1", "upload1"] }, "VALIDATION");
    // Listed twice is told before an unknown peer, parent or attachment.
    await expectRefused(pair, { attachmentIds: ["upload1", "upload1"], replyToId: "no-such-message" }, "VALIDATION");
    const res = await emitAck(pair.a, "message:send", {
      peerId: "no-such-user",
      clientId: newClientId(),
      body: "x",
      attachmentIds: ["u", "u"],
    });
    expect(!res.ok && res.error.code).toBe("VALIDATION");
    await expectRefused(pair, { attachmentIds: Array.from({ length: 11 }, (_, i) => `upload${i}`) }, "VALIDATION");
    await expectRefused(pair, { attachmentIds: ["not an id"] }, "VALIDATION");
  });

  it("accepts an empty attachmentIds: a message without attachments", async () => {
    const { bob, a } = await newPair();
    const res = await emitAck(a, "message:send", {
      peerId: bob.user.id,
      clientId: newClientId(),
      body: "nothing attached",
      attachmentIds: [],
    });
    expect(res.ok && res.message.attachments).toEqual([]);
  });
});

describe("a retry of a stored reply", () => {
  it("returns it as stored: replyToId, attachmentIds and ref are not checked again", async () => {
    const { alice, bob, a, b } = await newPair();
    const parent = await sendMessage(a, bob.user.id, "parent");
    const clientId = newClientId();
    const first = await emitAck(b, "message:send", {
      peerId: alice.user.id,
      clientId,
      body: "reply",
      replyToId: parent.id,
    });
    if (!first.ok) throw new Error(first.error.message);
    expect((await emitAck(a, "message:delete", { messageId: parent.id })).ok).toBe(true);
    const stored = (await server.store.findMessageById(first.message.id))!;
    expect(stored.replyTo).toEqual({ ...quoteOf(parent), excerpt: "", deleted: true });

    const news = collect(a, "message:new");
    for (const retry of [
      { peerId: alice.user.id, replyToId: parent.id },
      { peerId: alice.user.id, replyToId: "no-such-message" },
      { peerId: alice.user.id, attachmentIds: ["upload1"] },
      { peerId: alice.user.id, attachmentIds: ["upload1", "upload1"] },
      { peerId: "no-such-user", replyToId: parent.id },
      { conversationId: conversationIdFor(bob.user.id, "someone-else"), body: "other" },
    ]) {
      expect(await emitAck(b, "message:send", { clientId, body: "reply", ...retry })).toEqual({
        ok: true,
        message: stored,
      });
    }
    await messageBarrier(b, alice.user.id, [a]);
    expect(news.map((m) => m.body)).toEqual(["barrier"]);
  });
});
