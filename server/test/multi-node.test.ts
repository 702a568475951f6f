import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationIdFor } from "../../shared/protocol";
import type { AuthResponse, User } from "../../shared/protocol";
import { findRedisServer, startRedis } from "../../scripts/redis";
import type { RunningRedis } from "../../scripts/redis";
import {
  collect,
  connectClient,
  emitAck,
  http,
  newClientId,
  messageBarrier,
  registerUser,
  sendMessage,
  startServer,
  waitFor,
} from "./helpers";
import type { ClientSocket, TestServer } from "./helpers";

// Several nodes in one process: one PostgreSQL database and one Redis, each node its own HTTP port.
const redisServer = findRedisServer();
// CI installs redis-server, so there a missing one is a failure, not a skip.
if (!redisServer && process.env.CI === "true") throw new Error("redis-server is not installed");
const LOGIN_MAX_FAILURES = 4;
const MAX_SOCKETS_PER_USER = 3;
// Long enough for a reconnect to land within it on a busy machine.
const PRESENCE_GRACE_MS = 500;
// A crashed node is noticed this long after its last heartbeat, plus up to a third of it (the sweep).
const NODE_TTL_MS = 1500;

let redis: RunningRedis;
let nodes: TestServer[] = [];
// Nodes a single test starts for itself; `nodes` stays the three every test may use.
const ownNodes: TestServer[] = [];

beforeAll(async () => {
  redis = await startRedis(redisServer!);
  const first = await startServer(nodeEnv());
  nodes = [first, ...(await Promise.all([1, 2].map(() => startServer(nodeEnv(first)))))];
});

/** A node's environment; one started `beside` another shares its database. */
function nodeEnv(beside?: TestServer): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    SEND_RATE_BURST: "1000",
    PRESENCE_GRACE_MS: String(PRESENCE_GRACE_MS),
    NODE_TTL_MS: String(NODE_TTL_MS),
    LOGIN_MAX_FAILURES: String(LOGIN_MAX_FAILURES),
    MAX_SOCKETS_PER_USER: String(MAX_SOCKETS_PER_USER),
    ...(beside && { DATABASE_URL: beside.config.databaseUrl! }),
  };
}

afterAll(async () => {
  for (const node of [...nodes, ...ownNodes]) await node.close();
  await redis?.stop();
});

function closed(socket: ClientSocket): Promise<void> {
  const gone = new Promise<void>((resolve) => socket.once("disconnect", () => resolve()));
  socket.disconnect();
  return gone;
}

describe.skipIf(!redisServer)("several nodes on one PostgreSQL and one Redis", () => {
  it("reports the database and Redis in /healthz", async () => {
    const res = await http(nodes[0]!, "GET", "/healthz");
    expect(res).toMatchObject({ status: 200, body: { status: "ok", database: "ok", redis: "ok" } });
  });

  it("carries messages, edits, deletes, receipts and typing between clients on different nodes", async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const [alice, bob] = await Promise.all([registerUser(a), registerUser(b)]);
    const [aliceOnA, bobOnB, aliceOnB] = await Promise.all([
      connectClient(a, alice.token),
      connectClient(b, bob.token),
      connectClient(b, alice.token),
    ]);
    const conversationId = conversationIdFor(alice.user.id, bob.user.id);

    const arrived = waitFor(bobOnB, "message:new", (m) => m.body === "hello from A");
    const echoed = waitFor(aliceOnB, "message:new", (m) => m.body === "hello from A");
    const sent = await sendMessage(aliceOnA, bob.user.id, "hello from A");
    expect(await arrived).toEqual(sent);
    expect(await echoed).toEqual(sent);

    const reply = waitFor(aliceOnA, "message:new", (m) => m.body === "hello from B");
    await sendMessage(bobOnB, alice.user.id, "hello from B");
    expect((await reply).seq).toBe(sent.seq + 1);

    const edited = waitFor(bobOnB, "message:updated", (m) => m.id === sent.id && m.body === "edited on A");
    const edit = await emitAck(aliceOnA, "message:edit", { messageId: sent.id, body: "edited on A" });
    expect(edit.ok).toBe(true);
    expect(await edited).toMatchObject({ id: sent.id, body: "edited on A" });

    const deleted = waitFor(aliceOnA, "message:updated", (m) => m.id === sent.id && m.deletedAt !== null);
    const del = await emitAck(aliceOnB, "message:delete", { messageId: sent.id });
    expect(del.ok).toBe(true);
    expect(await deleted).toMatchObject({ id: sent.id, body: "" });

    const receipt = waitFor(aliceOnA, "receipt", (r) => r.userId === bob.user.id && r.readSeq === sent.seq + 1);
    expect(await emitAck(bobOnB, "conversation:receipt", { peerId: alice.user.id, readSeq: sent.seq + 1 })).toEqual({
      ok: true,
    });
    expect(await receipt).toMatchObject({ conversationId, deliveredSeq: sent.seq + 1, readSeq: sent.seq + 1 });

    const typing = waitFor(bobOnB, "typing");
    aliceOnA.emit("typing", { peerId: bob.user.id, typing: true });
    expect(await typing).toEqual({ conversationId, userId: alice.user.id, typing: true });
  });

  it("announces presence to a peer on another node", async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const [carol, dave] = await Promise.all([registerUser(a), registerUser(a)]);
    const d = await connectClient(b, dave.token);
    await emitAck(d, "conversation:join", { peerId: carol.user.id });
    const online = waitFor(d, "presence", (p) => p.userId === carol.user.id && p.online);
    const c = await connectClient(a, carol.token);
    await online;
    const offline = waitFor(d, "presence", (p) => p.userId === carol.user.id && !p.online);
    await closed(c);
    expect(await offline).toMatchObject({ lastSeenAt: expect.any(String) });
  });

  /**
   * Dave (on node C) watches carol and sam. Sam is the clock: his last socket closes on node A after
   * carol's, with the same grace period, so once his offline announcement has arrived any wrong one
   * about carol has too.
   */
  async function watchedPair() {
    const [a, , c] = nodes as [TestServer, TestServer, TestServer];
    const [carol, sam, dave] = await Promise.all([registerUser(a), registerUser(a), registerUser(c)]);
    const d = await connectClient(c, dave.token);
    for (const peer of [carol, sam]) await emitAck(d, "conversation:join", { peerId: peer.user.id });
    const online = [carol, sam].map((peer) => waitFor(d, "presence", (p) => p.userId === peer.user.id && p.online));
    const samOnA = await connectClient(a, sam.token);
    const carolOnA = await connectClient(a, carol.token);
    await Promise.all(online);
    const seen = collect(d, "presence");
    const carolSaw = () => seen.filter((p) => p.userId === carol.user.id).map((p) => p.online);
    /** Closes sam's socket and waits until his offline announcement (and one round trip) reached dave. */
    async function samGone() {
      const offline = waitFor(d, "presence", (p) => p.userId === sam.user.id && !p.online);
      await closed(samOnA);
      await offline;
      await messageBarrier(d, carol.user.id, [d]);
    }
    const isOnline = async (node: TestServer) =>
      (await http<{ user: User }>(node, "GET", `/api/users/${carol.user.id}`, { token: dave.token })).body.user.online;
    return { carol, dave: d, carolOnA, carolSaw, samGone, isOnline };
  }

  it("keeps a user with tabs on two nodes online until both are gone, then announces offline once", async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const { carol, dave, carolOnA, carolSaw, samGone, isOnline } = await watchedPair();
    const carolOnB = await connectClient(b, carol.token);

    await closed(carolOnA);
    await samGone();
    expect(carolSaw()).toEqual([]);
    // Node A, where carol has no socket left, knows she is online.
    expect(await isOnline(a)).toBe(true);

    const offline = waitFor(dave, "presence", (p) => p.userId === carol.user.id && !p.online);
    await closed(carolOnB);
    await offline;
    await messageBarrier(dave, carol.user.id, [dave]);
    expect(carolSaw()).toEqual([false]);
    for (const node of nodes) expect(await isOnline(node)).toBe(false);
  });

  it("hides a reload that lands on another node within the grace period: no offline, no second online", async () => {
    const b = nodes[1]!;
    const { carol, carolOnA, carolSaw, samGone, isOnline } = await watchedPair();

    await closed(carolOnA);
    await connectClient(b, carol.token);
    await samGone();
    expect(carolSaw()).toEqual([]);
    expect(await isOnline(nodes[0]!)).toBe(true);
  });

  it("announces offline, once, the users of a crashed node who have no socket on another node", async () => {
    const [a, , c] = nodes as [TestServer, TestServer, TestServer];
    const victim = await startServer(nodeEnv(a));
    ownNodes.push(victim);
    const [ivy, jack, dave] = await Promise.all([registerUser(a), registerUser(a), registerUser(c)]);
    const d = await connectClient(c, dave.token);
    for (const peer of [ivy, jack]) await emitAck(d, "conversation:join", { peerId: peer.user.id });
    const online = [ivy, jack].map((peer) => waitFor(d, "presence", (p) => p.userId === peer.user.id && p.online));
    // Ivy is only on the victim; jack also has a tab on node A.
    await Promise.all([connectClient(victim, ivy.token), connectClient(victim, jack.token)]);
    await connectClient(a, jack.token);
    await Promise.all(online);
    const seen = collect(d, "presence");

    const offline = waitFor(d, "presence", (p) => p.userId === ivy.user.id && !p.online, 3 * NODE_TTL_MS);
    const crashedAt = Date.now();
    await victim.crash();
    await offline;
    const noticedAfterMs = Date.now() - crashedAt;
    // Every live node sweeps; a late second announcement would have arrived by the end of the next sweep.
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      expect(await client.sMembers("parley:nodes")).not.toContain(victim.nodeId);
    } finally {
      await client.close();
    }
    await messageBarrier(d, ivy.user.id, [d]);
    expect(seen.map((p) => [p.userId, p.online])).toEqual([[ivy.user.id, false]]);
    expect(noticedAfterMs).toBeLessThan(NODE_TTL_MS + NODE_TTL_MS / 3 + PRESENCE_GRACE_MS);
    const user = async (id: string) =>
      (await http<{ user: User }>(a, "GET", `/api/users/${id}`, { token: dave.token })).body.user;
    expect(await user(ivy.user.id)).toMatchObject({ online: false });
    expect(await user(jack.user.id)).toMatchObject({ online: true });
  });

  it("throttles typing per user and conversation across nodes: one typing:true a second, one typing:false", async () => {
    const [a, b, c] = nodes as [TestServer, TestServer, TestServer];
    const [kate, leo] = await Promise.all([registerUser(a), registerUser(c)]);
    const [kateOnA, kateOnB, leoOnC] = await Promise.all([
      connectClient(a, kate.token),
      connectClient(b, kate.token),
      connectClient(c, leo.token),
    ]);
    const leoSaw = collect(leoOnC, "typing");
    const started = waitFor(leoOnC, "typing");
    kateOnA.emit("typing", { peerId: leo.user.id, typing: true });
    await started;
    // Within the second: B's typing:true is dropped; one of the two typing:false ends the relayed true.
    kateOnB.emit("typing", { peerId: leo.user.id, typing: true });
    kateOnB.emit("typing", { peerId: leo.user.id, typing: false });
    kateOnA.emit("typing", { peerId: leo.user.id, typing: false });
    await messageBarrier(kateOnA, leo.user.id, [leoOnC]);
    await messageBarrier(kateOnB, leo.user.id, [leoOnC]);

    const conversationId = conversationIdFor(kate.user.id, leo.user.id);
    expect(leoSaw).toEqual([
      { conversationId, userId: kate.user.id, typing: true },
      { conversationId, userId: kate.user.id, typing: false },
    ]);
  });

  it("disconnects, on node B, the socket of a session logged out on node A; other sessions stay", async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const erin = await registerUser(a);
    const other = await http<AuthResponse>(b, "POST", "/api/auth/login", {
      body: { username: erin.user.username, password: erin.password },
    });
    const [loggedOut, kept, peer] = await Promise.all([
      connectClient(b, erin.token),
      connectClient(nodes[2]!, other.body.token),
      registerUser(b),
    ]);
    const gone = new Promise<string>((resolve) => loggedOut.once("disconnect", resolve));
    expect((await http(a, "POST", "/api/auth/logout", { token: erin.token })).status).toBe(204);
    expect(await gone).toBe("io server disconnect");
    expect(kept.connected).toBe(true);
    await messageBarrier(kept, peer.user.id, [kept]);
  });

  it("counts failed logins across nodes: the lockout holds whichever node is asked", async () => {
    const fred = await registerUser(nodes[0]!);
    for (let i = 0; i < LOGIN_MAX_FAILURES; i++) {
      const res = await http(nodes[i % nodes.length]!, "POST", "/api/auth/login", {
        body: { username: fred.user.username, password: `wrong-${i}` },
      });
      expect(res.status).toBe(401);
    }
    for (const node of nodes) {
      const res = await http<{ error: { code: string } }>(node, "POST", "/api/auth/login", {
        body: { username: fred.user.username, password: fred.password },
      });
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe("RATE_LIMITED");
    }
  });

  it("caps a user's sockets across nodes, and frees the slot on disconnect", async () => {
    const gina = await registerUser(nodes[0]!);
    const sockets = await Promise.all(nodes.map((node) => connectClient(node, gina.token)));
    expect(sockets).toHaveLength(MAX_SOCKETS_PER_USER);
    for (const node of nodes) {
      await expect(connectClient(node, gina.token)).rejects.toThrow("TOO_MANY_CONNECTIONS");
    }
    await closed(sockets[1]!);
    // The release reaches Redis just after the disconnect.
    await expect
      .poll(() =>
        connectClient(nodes[0]!, gina.token).then(
          () => true,
          () => false,
        ),
      )
      .toBe(true);
  });

  it("forgets the socket counts of a node that stopped heartbeating", async () => {
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const ghostNode = "ghost";
      const hank = await registerUser(nodes[0]!);
      // A node that died holding all of hank's slots: its heartbeat key is gone, its hash lingers.
      await client.sAdd("parley:nodes", ghostNode);
      await client.hSet(`parley:sockets:${ghostNode}`, hank.user.id, String(MAX_SOCKETS_PER_USER));
      const socket = await connectClient(nodes[1]!, hank.token);
      expect(socket.connected).toBe(true);
      // A live node's sweep claims the dead one and drops what it held.
      await expect.poll(() => client.sIsMember("parley:nodes", ghostNode), { timeout: NODE_TTL_MS }).toBe(0);
      expect(await client.exists(`parley:sockets:${ghostNode}`)).toBe(0);
    } finally {
      await client.close();
    }
  });

  it("spends one send bucket per user across nodes, with retryAfterMs as on one node", async () => {
    const env = { REDIS_URL: redis.url, SEND_RATE_BURST: "4", SEND_RATE_PER_SEC: "1" };
    const slowA = await startServer(env);
    const slowB = await startServer({ ...env, DATABASE_URL: slowA.config.databaseUrl! });
    ownNodes.push(slowA, slowB);
    const [kim, lee] = await Promise.all([registerUser(slowA), registerUser(slowB)]);
    const [onA, onB] = await Promise.all([connectClient(slowA, kim.token), connectClient(slowB, kim.token)]);
    const send = (socket: ClientSocket, clientId = newClientId()) =>
      emitAck(socket, "message:send", { peerId: lee.user.id, clientId, body: "hi" });

    const firstId = newClientId();
    const first = await send(onA, firstId);
    expect(first.ok).toBe(true);
    // A retry under the limit takes a token and gives it back: the burst still holds three more sends.
    expect(await send(onB, firstId)).toEqual(first);
    for (const socket of [onB, onA, onB]) expect((await send(socket)).ok).toBe(true);
    for (const socket of [onA, onB]) {
      const limited = await send(socket);
      expect(limited).toMatchObject({ ok: false, error: { code: "RATE_LIMITED" } });
      expect(!limited.ok && limited.error.retryAfterMs).toBeGreaterThan(0);
      expect(!limited.ok && limited.error.retryAfterMs).toBeLessThanOrEqual(1000);
    }
    // A retry of a stored clientId costs nothing, on whichever node it lands.
    expect(await send(onB, firstId)).toMatchObject({ ok: true });
  });

  it("a group across nodes: removal while typing leaves the room on every node, typing:false reaches the others", async () => {
    const [n0, n1, n2] = nodes as [TestServer, TestServer, TestServer];
    const [alice, bob, carol] = await Promise.all([registerUser(n0), registerUser(n1), registerUser(n2)]);
    const created = await http<{ group: { id: string; conversationId: string } }>(n0, "POST", "/api/groups", {
      token: alice.token,
      body: { clientId: newClientId(), name: "across", memberIds: [bob.user.id, carol.user.id] },
    });
    const { id, conversationId } = created.body.group;
    const [aliceOn0, bobOn1, bobOn2, carolOn2] = await Promise.all([
      connectClient(n0, alice.token),
      connectClient(n1, bob.token),
      connectClient(n2, bob.token),
      connectClient(n2, carol.token),
    ]);
    for (const socket of [aliceOn0, bobOn1, bobOn2, carolOn2])
      expect(await emitAck(socket, "conversation:join", { conversationId })).toMatchObject({ ok: true });

    const carolSawTyping = waitFor(carolOn2, "typing", (t) => t.userId === bob.user.id && t.typing);
    bobOn1.emit("typing", { conversationId, typing: true });
    await carolSawTyping;
    const stopped = waitFor(carolOn2, "typing", (t) => t.userId === bob.user.id && !t.typing);
    const removedSeen = [bobOn1, bobOn2, carolOn2].map((s) =>
      waitFor(s, "message:new", (m) => m.system?.action === "removed"),
    );
    const removal = await http(n0, "DELETE", `/api/groups/${id}/members/${bob.user.id}`, { token: alice.token });
    expect(removal.status).toBe(204);
    await Promise.all([stopped, ...removedSeen]);

    // Neither of bob's sockets is in the room any more, whichever node holds it.
    const bobTyping = [bobOn1, bobOn2].map((s) => collect(s, "typing"));
    const aliceSaw = waitFor(aliceOn0, "typing", (t) => t.userId === carol.user.id);
    carolOn2.emit("typing", { conversationId, typing: true });
    await aliceSaw;
    await messageBarrier(aliceOn0, bob.user.id, [bobOn1, bobOn2]);
    expect(bobTyping).toEqual([[], []]);
  });

  it("counts group creations per user across nodes", async () => {
    const [n0, n1] = nodes as [TestServer, TestServer];
    const alice = await registerUser(n0);
    const create = (node: TestServer) =>
      http(node, "POST", "/api/groups", { token: alice.token, body: { clientId: newClientId(), name: "g" } });
    for (let i = 0; i < 20; i++) expect((await create(nodes[i % 2]!)).status).toBe(201);
    expect((await create(n1)).status).toBe(429);
    expect((await create(n0)).status).toBe(429);
  });
});
