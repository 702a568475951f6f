import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { User } from "../../shared/protocol";
import {
  collect,
  connectClient,
  emitAck,
  http,
  messageBarrier,
  rawEmit,
  registerUser,
  sendMessage,
  startServer,
  waitFor,
} from "./helpers";
import type { ClientSocket, TestServer } from "./helpers";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000", PRESENCE_GRACE_MS: "200" });
});
afterAll(() => server.close());

function closed(socket: ClientSocket): Promise<void> {
  const gone = new Promise<void>((resolve) => socket.once("disconnect", () => resolve()));
  socket.disconnect();
  return gone;
}

describe("typing", () => {
  it("relays to the other participant only, at most one typing:true per second, typing:false once when it ends one", async () => {
    const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    const [a, aliceTab2, b] = await Promise.all([
      connectClient(server, alice.token),
      connectClient(server, alice.token),
      connectClient(server, bob.token),
    ]);
    const bobSaw = collect(b, "typing");
    const aliceTabSaw = collect(aliceTab2, "typing");

    a.emit("typing", { peerId: bob.user.id, typing: true });
    a.emit("typing", { peerId: bob.user.id, typing: true });
    a.emit("typing", { peerId: bob.user.id, typing: false });
    a.emit("typing", { peerId: bob.user.id, typing: false });
    rawEmit(a, "typing", { peerId: 12 });
    await messageBarrier(a, bob.user.id, [b, aliceTab2]);

    const conversationId = `dm:${[alice.user.id, bob.user.id].sort().join(":")}`;
    expect(bobSaw).toEqual([
      { conversationId, userId: alice.user.id, typing: true },
      { conversationId, userId: alice.user.id, typing: false },
    ]);
    expect(aliceTabSaw).toEqual([]);
  });
});

describe("presence", () => {
  it("announces online and, after the grace period, offline to people with a conversation", async () => {
    const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    const b = await connectClient(server, bob.token);
    const firstA = await connectClient(server, alice.token);
    await sendMessage(firstA, bob.user.id, "we have a conversation now");
    await closed(firstA);
    await waitFor(b, "presence", (p) => p.userId === alice.user.id && !p.online);

    const online = waitFor(b, "presence", (p) => p.userId === alice.user.id);
    const a = await connectClient(server, alice.token);
    expect(await online).toMatchObject({ userId: alice.user.id, online: true });
    const seen = await http<{ user: User }>(server, "GET", `/api/users/${alice.user.id}`, { token: bob.token });
    expect(seen.body.user.online).toBe(true);

    const offline = waitFor(b, "presence", (p) => p.userId === alice.user.id);
    await closed(a);
    const event = await offline;
    expect(event).toMatchObject({ userId: alice.user.id, online: false, lastSeenAt: expect.any(String) });
    const after = await http<{ user: User }>(server, "GET", `/api/users/${alice.user.id}`, { token: bob.token });
    expect(after.body.user).toMatchObject({ online: false, lastSeenAt: event.lastSeenAt });
  });

  it("reaches a socket that joined the conversation before any message", async () => {
    const [carol, dave] = await Promise.all([registerUser(server), registerUser(server)]);
    const c = await connectClient(server, carol.token);
    await emitAck(c, "conversation:join", { peerId: dave.user.id });
    const online = waitFor(c, "presence", (p) => p.userId === dave.user.id);
    await connectClient(server, dave.token);
    expect(await online).toMatchObject({ online: true });
  });

  it("hides a quick reconnect (a reload) behind the grace period", async () => {
    const [erin, fred] = await Promise.all([registerUser(server), registerUser(server)]);
    const f = await connectClient(server, fred.token);
    await emitAck(f, "conversation:join", { peerId: erin.user.id });
    const online = waitFor(f, "presence", (p) => p.userId === erin.user.id && p.online);
    const e1 = await connectClient(server, erin.token);
    await online;

    const fredSaw = collect(f, "presence");
    await closed(e1);
    const e2 = await connectClient(server, erin.token);
    const offline = waitFor(f, "presence", (p) => p.userId === erin.user.id && !p.online);
    await closed(e2);
    await offline;
    expect(fredSaw.filter((p) => p.userId === erin.user.id).map((p) => p.online)).toEqual([false]);
  });
});
