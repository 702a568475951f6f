import { afterAll, describe, expect, it } from "vitest";
import type { Message } from "../../shared/protocol";
import { findRedisServer, startRedis } from "../../scripts/redis";
import type { RunningRedis } from "../../scripts/redis";
import { collect, connectClient, emitAck, http, newClientId, registerUser, startServer } from "./helpers";
import type { ClientSocket, TestServer } from "./helpers";

const redisServer = findRedisServer();
// CI installs redis-server, so there a missing one is a failure, not a skip.
if (!redisServer && process.env.CI === "true") throw new Error("redis-server is not installed");

// Commands the node may hold for Redis. A socket's events are handled one at a time, so each socket
// that sends while Redis is away holds one command; more sockets than this send at once.
const QUEUE_MAX = 6;
const SENDING_SOCKETS = 16;

let redis: RunningRedis | undefined;
let node: TestServer | undefined;

afterAll(async () => {
  await node?.close();
  await redis?.stop();
});

/** Waits until /healthz's Redis check reads `status`. */
async function redisHealth(server: TestServer, status: "ok" | "unavailable"): Promise<void> {
  await expect
    .poll(async () => (await http<{ redis?: string }>(server, "GET", "/healthz")).body.redis, { timeout: 10_000 })
    .toBe(status);
}

describe.skipIf(!redisServer)("a node while its Redis is away", () => {
  it("holds a bounded number of commands, refuses sends beyond them at once with a coded error, and works again when Redis is back", async () => {
    redis = await startRedis(redisServer!);
    node = await startServer({
      REDIS_URL: redis.url,
      REDIS_QUEUE_MAX: String(QUEUE_MAX),
      SEND_RATE_BURST: "1000",
      EVENT_RATE_BURST: "1000",
    });
    const [alice, bob] = await Promise.all([registerUser(node), registerUser(node)]);
    // One at a time: a connect takes a few Redis commands, and a burst of them would fill so small a queue.
    const senders: ClientSocket[] = [];
    for (let i = 0; i < SENDING_SOCKETS; i++) senders.push(await connectClient(node, alice.token));
    const bobSocket = await connectClient(node, bob.token);
    const arrived = collect(bobSocket, "message:new");

    const { port } = redis;
    await redis.stop();
    // Answered at once, not after the ping's timeout: the check does not wait in the client's queue.
    await redisHealth(node, "unavailable");

    // Every send needs Redis (the shared rate limit): a few wait for it, the rest are refused now.
    const sends = senders.map((socket, i) =>
      emitAck(socket, "message:send", { peerId: bob.user.id, clientId: newClientId(), body: `away ${i}` }, 20_000),
    );
    const settled: Array<Awaited<(typeof sends)[number]> | undefined> = sends.map(() => undefined);
    sends.forEach((send, i) => void send.then((ack) => (settled[i] = ack)));
    // The refusals come back while Redis is still away.
    await expect
      .poll(() => settled.filter((ack) => ack !== undefined).length, { timeout: 5000 })
      .toBeGreaterThanOrEqual(SENDING_SOCKETS - QUEUE_MAX);
    for (const ack of settled.filter((ack) => ack !== undefined)) {
      expect(ack).toMatchObject({ ok: false, error: { code: "INTERNAL" } });
    }
    expect(arrived).toEqual([]);

    redis = await startRedis(redisServer!, port);
    await redisHealth(node, "ok");
    // The sends that waited go through once the client has reconnected, each stored and delivered once.
    const acks = await Promise.all(sends);
    const stored = acks.flatMap((ack) => (ack.ok ? [ack.message] : []));
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.length).toBeLessThanOrEqual(QUEUE_MAX);
    for (const ack of acks.filter((ack) => !ack.ok)) expect(ack).toMatchObject({ error: { code: "INTERNAL" } });
    const after = await emitAck(senders[0]!, "message:send", {
      peerId: bob.user.id,
      clientId: newClientId(),
      body: "Redis is back",
    });
    expect(after).toMatchObject({ ok: true, message: { body: "Redis is back" } });
    await expect.poll(() => arrived.some((m: Message) => m.body === "Redis is back")).toBe(true);
    const ids = arrived.map((m: Message) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual([...stored.map((m) => m.id), after.ok ? after.message.id : ""].sort());
  });

  it("closes while Redis is away: it waits a bounded time for its cleanup and connections, then stops waiting", async () => {
    const away = await startRedis(redisServer!);
    const closing = await startServer({ REDIS_URL: away.url });
    const carol = await registerUser(closing);
    await connectClient(closing, carol.token);
    await away.stop();
    await redisHealth(closing, "unavailable");
    // Bounded by the wait for the cleanup and the connections' close (2 s in all), not by Redis coming back.
    let closed = false;
    const close = closing.close().then(() => (closed = true));
    await expect.poll(() => closed, { timeout: 10_000 }).toBe(true);
    await close;
  });
});
