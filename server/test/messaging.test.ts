import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationIdFor } from "../../shared/protocol";
import type { HistoryResponse, Message } from "../../shared/protocol";
import {
  collect,
  connectClient,
  emitAck,
  http,
  messageBarrier,
  newClientId,
  registerUser,
  sendMessage,
  startServer,
  waitFor,
} from "./helpers";
import type { TestServer, TestUser } from "./helpers";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000" });
  [alice, bob] = await Promise.all([registerUser(server, "Alice"), registerUser(server, "Bob")]);
});
afterAll(() => server.close());

async function history(token: string, peerId: string, query = ""): Promise<HistoryResponse> {
  const res = await http<HistoryResponse>(server, "GET", `/api/conversations/${peerId}/messages${query}`, { token });
  expect(res.status).toBe(200);
  return res.body;
}

describe("rooms by sorted ids", () => {
  it("gives both sides the same dm:<min>:<max> conversation, and strangers see nothing", async () => {
    const carol = await registerUser(server, "Carol");
    const [a, b, c] = await Promise.all([
      connectClient(server, alice.token),
      connectClient(server, bob.token),
      connectClient(server, carol.token),
    ]);
    const expected = `dm:${[alice.user.id, bob.user.id].sort().join(":")}`;

    const joinA = await emitAck(a, "conversation:join", { peerId: bob.user.id });
    const joinB = await emitAck(b, "conversation:join", { peerId: alice.user.id });
    expect(joinA.ok && joinA.conversationId).toBe(expected);
    expect(joinB.ok && joinB.conversationId).toBe(expected);
    expect(joinA.ok && "peer" in joinA && joinA.peer).toMatchObject({
      id: bob.user.id,
      displayName: "Bob",
      online: true,
    });

    const carolSaw = collect(c, "message:new");
    const received = waitFor(b, "message:new");
    const sent = await sendMessage(a, bob.user.id, "hello Bob");
    expect(sent).toMatchObject({
      conversationId: expected,
      senderId: alice.user.id,
      recipientId: bob.user.id,
      seq: 1,
      body: "hello Bob",
    });
    expect(await received).toEqual(sent);

    await messageBarrier(c, carol.user.id, [c]);
    expect(carolSaw.map((m) => m.senderId)).toEqual([carol.user.id]);
  });

  it("reaches the recipient's other tabs through the user room, once per socket", async () => {
    const [sender, tab1, tab2] = await Promise.all([
      connectClient(server, alice.token),
      connectClient(server, bob.token),
      connectClient(server, bob.token),
    ]);
    await emitAck(tab1, "conversation:join", { peerId: alice.user.id });
    const tab1Saw = collect(tab1, "message:new");
    const tab2Saw = collect(tab2, "message:new");
    const first = await sendMessage(sender, bob.user.id, "to every tab");
    await messageBarrier(sender, bob.user.id, [tab1, tab2]);
    expect(tab1Saw.filter((m) => m.id === first.id)).toHaveLength(1);
    expect(tab2Saw.filter((m) => m.id === first.id)).toHaveLength(1);
  });

  it("works over HTTP long-polling as well as websocket", async () => {
    const [a, b] = await Promise.all([
      connectClient(server, alice.token, ["polling"]),
      connectClient(server, bob.token, ["polling", "websocket"]),
    ]);
    expect(a.io.engine.transport.name).toBe("polling");
    const received = waitFor(b, "message:new", (m) => m.body === "over polling");
    const sent = await sendMessage(a, bob.user.id, "over polling");
    expect(await received).toEqual(sent);
    expect((await http(server, "GET", "/healthz")).status).toBe(200);
  });

  it("allows a conversation with yourself", async () => {
    const socket = await connectClient(server, alice.token);
    const join = await emitAck(socket, "conversation:join", { peerId: alice.user.id });
    expect(join.ok && join.conversationId).toBe(`dm:${alice.user.id}:${alice.user.id}`);
    const message = await sendMessage(socket, alice.user.id, "memo");
    expect(message).toMatchObject({ senderId: alice.user.id, recipientId: alice.user.id, seq: 1 });
  });
});

describe("message:send", () => {
  it("persists before broadcasting: the broadcast message is already in the history", async () => {
    const dave = await registerUser(server);
    const [a, d] = await Promise.all([connectClient(server, alice.token), connectClient(server, dave.token)]);
    let inHistoryWhenBroadcast: Promise<Message[]> | undefined;
    d.once("message:new", () => {
      inHistoryWhenBroadcast = history(dave.token, alice.user.id).then((h) => h.messages);
    });
    const received = waitFor(d, "message:new");
    const acked = await sendMessage(a, dave.user.id, "stored first");
    expect(await received).toEqual(acked);
    expect(await inHistoryWhenBroadcast).toEqual([acked]);
  });

  it("stores one message for the same clientId sent twice", async () => {
    const erin = await registerUser(server);
    const [a, e] = await Promise.all([connectClient(server, alice.token), connectClient(server, erin.token)]);
    const erinSaw = collect(e, "message:new");
    const clientId = newClientId();
    const first = await sendMessage(a, erin.user.id, "only once", clientId);
    const again = await sendMessage(a, erin.user.id, "only once", clientId);
    expect(again).toEqual(first);

    const barrier = await messageBarrier(a, erin.user.id, [e]);
    expect(erinSaw.map((m) => m.seq)).toEqual([1, 2]);
    expect((await history(alice.token, erin.user.id)).messages.map((m) => m.clientId)).toEqual([
      clientId,
      barrier.clientId,
    ]);
  });

  it("stores one message when the same clientId arrives twice concurrently", async () => {
    const fred = await registerUser(server);
    const [a1, a2] = await Promise.all([connectClient(server, alice.token), connectClient(server, alice.token)]);
    const clientId = newClientId();
    const [x, y] = await Promise.all([
      sendMessage(a1, fred.user.id, "race", clientId),
      sendMessage(a2, fred.user.id, "race", clientId),
    ]);
    expect(x).toEqual(y);
    expect((await history(alice.token, fred.user.id)).messages).toHaveLength(1);
  });

  it("ignores identity fields in the payload: the sender is the socket's user", async () => {
    const gina = await registerUser(server);
    const a = await connectClient(server, alice.token);
    const res = await emitAck(a, "message:send", {
      peerId: gina.user.id,
      clientId: newClientId(),
      body: "who am I",
      senderId: gina.user.id,
      seq: 99,
    } as Parameters<typeof emitAck<"message:send">>[2]);
    expect(res.ok).toBe(true);
    const stored = (await history(gina.token, alice.user.id)).messages[0];
    expect(stored).toMatchObject({
      senderId: alice.user.id,
      recipientId: gina.user.id,
      seq: 1,
      conversationId: conversationIdFor(alice.user.id, gina.user.id),
    });
  });

  it("trims the body and counts emoji as one character", async () => {
    const hank = await registerUser(server);
    const a = await connectClient(server, alice.token);
    expect((await sendMessage(a, hank.user.id, "  padded\n ")).body).toBe("padded");
    const emoji = "😀".repeat(4000);
    expect((await sendMessage(a, hank.user.id, emoji)).body).toBe(emoji);
  });

  it("assigns seq 1..N without gaps under concurrent sends, delivered in seq order to every socket", async () => {
    const ivan = await registerUser(server);
    const senders = await Promise.all([
      connectClient(server, alice.token),
      connectClient(server, alice.token),
      connectClient(server, ivan.token),
      connectClient(server, ivan.token),
    ]);
    const watcher = await connectClient(server, ivan.token);
    await emitAck(watcher, "conversation:join", { peerId: alice.user.id });
    const perSocket = [...senders, watcher].map((s) => collect(s, "message:new"));
    const perSender = 50;
    const total = senders.length * perSender;
    const allArrived = Promise.all(
      [...senders, watcher].map((s) => waitFor(s, "message:new", (m) => m.seq === total, 10_000)),
    );

    const acks = await Promise.all(
      senders.flatMap((socket, i) =>
        Array.from({ length: perSender }, (_, k) =>
          sendMessage(socket, i < 2 ? ivan.user.id : alice.user.id, `s${i} m${k}`),
        ),
      ),
    );
    expect(acks.map((m) => m.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, k) => k + 1));
    // Sends from one socket get increasing seq.
    for (let i = 0; i < senders.length; i++) {
      const seqs = acks.slice(i * perSender, (i + 1) * perSender).map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }
    await allArrived;
    for (const seen of perSocket)
      expect(seen.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, k) => k + 1));
  });
});
