import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationIdFor } from "../../shared/protocol";
import type { JoinResult } from "../../shared/protocol";
import {
  collect,
  connectedPair,
  connectClient,
  emitAck,
  http,
  messageBarrier,
  newClientId,
  rawEmit,
  rawEmitAck,
  registerUser,
  sendMessage,
  startServer,
  waitFor,
} from "./helpers";
import type { TestServer, TestUser } from "./helpers";

// Protocol v2 §0: every payload and path that names a conversation by peerId takes its conversationId instead.

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000" });
});
afterAll(() => server.close());

const newPair = () => connectedPair(server);

/** A page or change list's response as it is on the wire: status, type and the exact text. */
async function rawGet(path: string, token: string) {
  const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

const conversationPath = (ref: string) => `/api/conversations/${encodeURIComponent(ref)}`;

describe("a conversationId works as the peerId", () => {
  it("message:send: the same message, and one clientId sent in both forms is one message", async () => {
    const { alice, bob, a, b, dm } = await newPair();
    const clientId = newClientId();
    const arrived = waitFor(b, "message:new", (m) => m.clientId === clientId);
    const sent = await emitAck(a, "message:send", { conversationId: dm, clientId, body: "hi" });
    expect(sent).toMatchObject({ ok: true, message: { conversationId: dm, senderId: alice.user.id, seq: 1 } });
    expect(await arrived).toEqual(sent.ok && sent.message);

    expect(await emitAck(a, "message:send", { peerId: bob.user.id, clientId, body: "hi" })).toEqual(sent);
    const other = newClientId();
    const byPeer = await emitAck(a, "message:send", { peerId: bob.user.id, clientId: other, body: "again" });
    expect(await emitAck(a, "message:send", { conversationId: dm, clientId: other, body: "again" })).toEqual(byPeer);

    const history = await http<{ messages: unknown[] }>(server, "GET", `/api/conversations/${bob.user.id}/messages`, {
      token: alice.token,
    });
    expect(history.body.messages).toHaveLength(2);
  });

  it("conversation:join: the same answer, with and without catch-up", async () => {
    const { alice, bob, a, b, dm } = await newPair();
    const first = await sendMessage(b, alice.user.id, "one");
    const second = await sendMessage(b, alice.user.id, "two");
    await emitAck(b, "message:edit", { messageId: first.id, body: "one, edited" });
    for (const window of [{}, { afterSeq: 1, sinceRev: 0 }]) {
      const byPeer = await emitAck(a, "conversation:join", { peerId: bob.user.id, ...window });
      const byConversation = await emitAck(a, "conversation:join", { conversationId: dm, ...window });
      expect(byConversation).toEqual(byPeer);
      expect(byConversation).toMatchObject({ ok: true, conversationId: dm });
    }
    expect(((await emitAck(a, "conversation:join", { conversationId: dm })) as JoinResult).messages).toContainEqual(
      second,
    );
  });

  it("conversation:leave: the same answer", async () => {
    const { bob, a, dm } = await newPair();
    await emitAck(a, "conversation:join", { conversationId: dm });
    expect(await emitAck(a, "conversation:leave", { conversationId: dm })).toEqual({ ok: true });
    expect(await emitAck(a, "conversation:leave", { peerId: bob.user.id })).toEqual({ ok: true });
  });

  it("conversation:receipt: moves the same watermark and announces it", async () => {
    const { alice, bob, a, b, dm } = await newPair();
    await sendMessage(b, alice.user.id, "one");
    await sendMessage(b, alice.user.id, "two");
    const announced = waitFor(b, "receipt", (r) => r.readSeq === 1);
    expect(await emitAck(a, "conversation:receipt", { conversationId: dm, readSeq: 1 })).toEqual({ ok: true });
    expect(await announced).toEqual({ conversationId: dm, userId: alice.user.id, deliveredSeq: 1, readSeq: 1 });
    expect(await emitAck(b, "conversation:join", { peerId: alice.user.id })).toMatchObject({ peerReadSeq: 1 });
    expect(await emitAck(a, "conversation:receipt", { peerId: bob.user.id, readSeq: 2 })).toEqual({ ok: true });
    expect(await emitAck(b, "conversation:join", { conversationId: dm })).toMatchObject({ peerReadSeq: 2 });
  });

  it("typing: relayed to the peer", async () => {
    const { alice, a, b, dm } = await newPair();
    const relayed = waitFor(b, "typing");
    a.emit("typing", { conversationId: dm, typing: true });
    expect(await relayed).toEqual({ conversationId: dm, userId: alice.user.id, typing: true });
  });

  it("a DM with oneself by its id", async () => {
    const { alice, a } = await newPair();
    const self = conversationIdFor(alice.user.id, alice.user.id);
    const sent = await emitAck(a, "message:send", { conversationId: self, clientId: newClientId(), body: "note" });
    expect(sent).toMatchObject({ ok: true, message: { conversationId: self } });
    expect(await emitAck(a, "conversation:join", { conversationId: self })).toEqual(
      await emitAck(a, "conversation:join", { peerId: alice.user.id }),
    );
  });

  it.each(["messages", "changes"])(
    "GET /api/conversations/:ref/%s: byte-identical to the peer's path",
    async (tail) => {
      const { alice, bob, a, b, dm } = await newPair();
      const first = await sendMessage(a, bob.user.id, "one");
      await sendMessage(b, alice.user.id, "two");
      await emitAck(a, "message:delete", { messageId: first.id });
      const query = tail === "messages" ? "?afterSeq=0" : "?sinceRev=0&uptoSeq=2";
      const byPeer = await rawGet(`${conversationPath(bob.user.id)}/${tail}${query}`, alice.token);
      expect(byPeer.status).toBe(200);
      expect(await rawGet(`${conversationPath(dm)}/${tail}${query}`, alice.token)).toEqual(byPeer);
      expect(await rawGet(`${conversationPath(dm)}/${tail}${query}`, bob.token)).toEqual(
        await rawGet(`${conversationPath(alice.user.id)}/${tail}${query}`, bob.token),
      );
    },
  );
});

describe("a ref that names no conversation of the caller's changes nothing", () => {
  // Refs for alice, who has a DM with bob; carol and dave have one of their own.
  async function setting() {
    const pair = await newPair();
    const [carol, dave] = await Promise.all([registerUser(server), registerUser(server)]);
    const c = await connectClient(server, carol.token);
    await sendMessage(c, dave.user.id, "private");
    await sendMessage(pair.b, pair.alice.user.id, "to alice");
    const unknownPeer = { peerId: "no-such-user" };
    const refs = {
      both: { peerId: pair.bob.user.id, conversationId: pair.dm },
      neither: {},
      "a DM id without the caller": { conversationId: conversationIdFor(carol.user.id, dave.user.id) },
      "a DM id with the caller but an unknown peer": {
        conversationId: conversationIdFor(pair.alice.user.id, "no-such-user"),
      },
      "a DM id out of order": {
        conversationId: `dm:${[pair.alice.user.id, pair.bob.user.id].sort().reverse().join(":")}`,
      },
      "an unknown group id": { conversationId: "grp:x" },
      "a malformed conversation id": { conversationId: "dm:x" },
      "a non-string conversation id": { conversationId: 7 },
    };
    return { ...pair, carol, dave, unknownPeer, refs };
  }
  type Setting = Awaited<ReturnType<typeof setting>>;
  type RefName = keyof Setting["refs"];
  const expected: [RefName, "VALIDATION" | "NOT_FOUND"][] = [
    ["both", "VALIDATION"],
    ["neither", "VALIDATION"],
    ["a DM id without the caller", "NOT_FOUND"],
    ["a DM id with the caller but an unknown peer", "NOT_FOUND"],
    ["a DM id out of order", "NOT_FOUND"],
    ["an unknown group id", "NOT_FOUND"],
    ["a malformed conversation id", "VALIDATION"],
    ["a non-string conversation id", "VALIDATION"],
  ];

  /** What alice and carol see of their conversations: nothing a refused event may change. */
  async function snapshot({ alice, bob, carol, dave }: Setting) {
    const read = async (token: string, peerId: string) =>
      (await rawGet(`${conversationPath(peerId)}/messages`, token)).text;
    const state = async (user: TestUser, peerId: string) => {
      const socket = await connectClient(server, user.token);
      const joined = await emitAck(socket, "conversation:join", { peerId });
      socket.disconnect();
      // The peer's presence moves as these snapshot sockets come and go; only the conversation is compared.
      const { peer: _peer, ...conversation } = joined as { peer?: unknown };
      return conversation;
    };
    return Promise.all([
      read(alice.token, bob.user.id),
      read(carol.token, dave.user.id),
      state(alice, bob.user.id),
      state(carol, dave.user.id),
      http(server, "GET", "/api/conversations", { token: alice.token }).then(({ body }) =>
        (body as { conversations: { peer: { id: string } }[] }).conversations.map(({ peer, ...rest }) => ({
          ...rest,
          peerId: peer.id,
        })),
      ),
    ]);
  }

  const unknownGroupAnswer = { ok: false, error: { code: "NOT_FOUND", message: "conversation not found" } };

  const ackedEvents = [
    ["conversation:join", () => ({ afterSeq: 0 })],
    ["conversation:leave", () => ({})],
    ["message:send", () => ({ clientId: newClientId(), body: "should not be stored" })],
    ["conversation:receipt", () => ({ readSeq: 1 })],
  ] as const;

  it.each(ackedEvents)("%s", async (event, rest) => {
    const setup = await setting();
    const before = await snapshot(setup);
    const unknownPeerAnswer = await rawEmitAck(setup.a, event, { ...setup.unknownPeer, ...rest() });
    expect(unknownPeerAnswer).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    for (const [name, code] of expected) {
      const answer = await rawEmitAck(setup.a, event, { ...setup.refs[name], ...rest() });
      // A group ref is answered as a group the caller is not in (groups.test.ts: others' groups alike).
      if (code === "NOT_FOUND")
        expect(answer, name).toEqual(name === "an unknown group id" ? unknownGroupAnswer : unknownPeerAnswer);
      else expect(answer, name).toMatchObject({ ok: false, error: { code, message: expect.any(String) } });
    }
    expect(await snapshot(setup)).toEqual(before);
  });

  it("typing", async () => {
    const setup = await setting();
    const c = await connectClient(server, setup.carol.token);
    const d = await connectClient(server, setup.dave.token);
    const seen = [setup.b, c, d].map((socket) => collect(socket, "typing"));
    for (const [name] of expected) rawEmit(setup.a, "typing", { ...setup.refs[name], typing: true });
    // Handled in order: once the barrier's message arrives, every refused signal was dropped.
    await messageBarrier(setup.a, setup.bob.user.id, [setup.b]);
    await messageBarrier(c, setup.dave.user.id, [d]);
    expect(seen).toEqual([[], [], []]);
  });

  it.each(["messages", "changes"])("GET /api/conversations/:ref/%s", async (tail) => {
    const setup = await setting();
    const unknownPeer = await rawGet(`${conversationPath("no-such-user")}/${tail}`, setup.alice.token);
    expect(unknownPeer.status).toBe(404);
    for (const [name, code] of expected) {
      const ref = setup.refs[name];
      if (!("conversationId" in ref) || "peerId" in ref || typeof ref.conversationId !== "string") continue;
      const answer = await rawGet(`${conversationPath(ref.conversationId)}/${tail}`, setup.alice.token);
      if (code === "NOT_FOUND" && name === "an unknown group id")
        expect({ status: answer.status, error: JSON.parse(answer.text).error }, name).toEqual({
          status: 404,
          error: unknownGroupAnswer.error,
        });
      else if (code === "NOT_FOUND") expect(answer, name).toEqual(unknownPeer);
      else
        expect({ status: answer.status, error: JSON.parse(answer.text).error.code }, name).toEqual({
          status: 400,
          error: "VALIDATION",
        });
    }
  });
});
