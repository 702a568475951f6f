import { randomUUID } from "node:crypto";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { createAuthLimiters } from "./auth/limits";
import type { AuthLimiters } from "./auth/limits";
import type { Config } from "./config";
import type { Logger } from "./logger";
import type { SendLimiter } from "./chat/send-limiter";
import type { ConnectionCounter } from "./realtime/connection-counter";

/** Every key Parley writes starts with this, so a shared Redis can tell them apart. */
export const KEY_PREFIX = "parley:";
/** A node whose heartbeat stops is taken for dead after this long, and its socket counts with it. */
export const NODE_TTL_MS = 15_000;
const HEARTBEAT_MS = NODE_TTL_MS / 3;
const PING_TIMEOUT_MS = 2000;

const nodesKey = `${KEY_PREFIX}nodes`;
const aliveKey = (nodeId: string) => `${KEY_PREFIX}node:${nodeId}`;
const socketsKey = (nodeId: string) => `${KEY_PREFIX}sockets:${nodeId}`;

// One hash of user -> sockets per node, expiring with the node's heartbeat: a crashed node's
// counts vanish on their own. The cap is checked and taken in one script, so two nodes cannot
// both let the last socket in. (Keys are derived in the script: this needs one Redis, not a cluster.)
const ACQUIRE = `
local nodes, node, user, max, ttl = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local total = 0
for _, n in ipairs(redis.call('SMEMBERS', nodes)) do
  if redis.call('EXISTS', '${KEY_PREFIX}node:' .. n) == 0 then
    redis.call('SREM', nodes, n)
    redis.call('DEL', '${KEY_PREFIX}sockets:' .. n)
  else
    total = total + tonumber(redis.call('HGET', '${KEY_PREFIX}sockets:' .. n, user) or '0')
  end
end
if total >= max then return 0 end
redis.call('SADD', nodes, node)
redis.call('SET', '${KEY_PREFIX}node:' .. node, '1', 'PX', ttl)
redis.call('HINCRBY', '${KEY_PREFIX}sockets:' .. node, user, 1)
redis.call('PEXPIRE', '${KEY_PREFIX}sockets:' .. node, ttl)
return 1
`;

const RELEASE = `
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1
`;

const HEARTBEAT = `
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
return 1
`;

// The send token bucket of lib/token-bucket.ts's arithmetic, on Redis's clock so nodes' clocks do not matter.
const TAKE_SEND_TOKEN = `
local burst, rate = tonumber(ARGV[1]), tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = burst
if saved[1] then tokens = math.min(burst, tonumber(saved[1]) + (now - tonumber(saved[2])) / 1000 * rate) end
local retry = 0
if tokens >= 1 then tokens = tokens - 1 else retry = math.ceil((1 - tokens) / rate * 1000) end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'at', string.format('%.3f', now))
-- A bucket left alone this long is full again, which is what a missing key means.
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return retry
`;

export type RedisServices = {
  /** This node's id in the shared keys. */
  nodeId: string;
  /** The Socket.IO adapter that carries rooms and remote socket operations between nodes. */
  adapter: ReturnType<typeof createAdapter>;
  authLimiters: AuthLimiters;
  connectionCounter: ConnectionCounter;
  sendLimiter: SendLimiter;
  /** Resolves when Redis answers a PING. */
  ping(): Promise<void>;
  /** Drops this node's shared state and closes the connections. */
  close(): Promise<void>;
};

/**
 * The client as the adapter's publisher. The adapter does not handle a failed publish (Redis gone,
 * or a broadcast finishing after close), and an unhandled rejection would end the process; a lost
 * broadcast is what the clients' seq/rev catch-up already repairs.
 */
function publisherOf<C extends object>(client: C, logger: Logger): C {
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property !== "publish") return value.bind(target);
      return (...args: unknown[]) =>
        (value.apply(target, args) as Promise<unknown>).catch((err: unknown) =>
          logger.warn({ err }, "redis publish failed"),
        );
    },
  });
}

/** Connects to REDIS_URL and builds what several nodes share: the adapter, the limiters, the socket counts. */
export async function connectRedis(
  config: Pick<
    Config,
    | "redisUrl"
    | "registerRatePerHour"
    | "loginRatePerMin"
    | "loginMaxFailures"
    | "maxSocketsPerUser"
    | "sendRateBurst"
    | "sendRatePerSec"
  >,
  logger: Logger,
): Promise<RedisServices> {
  if (!config.redisUrl) throw new Error("REDIS_URL is not set");
  const nodeId = randomUUID();
  // Commands and publishing share one connection; subscribing needs its own.
  const client = createClient({ url: config.redisUrl });
  const subscriber = client.duplicate();
  // Without a listener an error would end the process; the clients reconnect by themselves.
  for (const c of [client, subscriber]) c.on("error", (err: unknown) => logger.warn({ err }, "redis error"));
  await Promise.all([client.connect(), subscriber.connect()]);

  const heartbeat = () =>
    client.eval(HEARTBEAT, {
      keys: [nodesKey, aliveKey(nodeId), socketsKey(nodeId)],
      arguments: [nodeId, String(NODE_TTL_MS)],
    });
  await heartbeat();
  const timer = setInterval(
    () => void heartbeat().catch((err: unknown) => logger.warn({ err }, "redis heartbeat failed")),
    HEARTBEAT_MS,
  ).unref();

  const connectionCounter: ConnectionCounter = {
    async acquire(userId) {
      const taken = await client.eval(ACQUIRE, {
        keys: [nodesKey],
        arguments: [nodeId, userId, String(config.maxSocketsPerUser), String(NODE_TTL_MS)],
      });
      return taken === 1;
    },
    release(userId) {
      client
        .eval(RELEASE, { keys: [socketsKey(nodeId)], arguments: [userId] })
        .catch((err: unknown) => logger.warn({ err }, "socket count release failed"));
    },
  };

  const sendLimiter: SendLimiter = {
    async take(userId) {
      const retryAfterMs = Number(
        await client.eval(TAKE_SEND_TOKEN, {
          keys: [`${KEY_PREFIX}send:${userId}`],
          arguments: [String(config.sendRateBurst), String(config.sendRatePerSec)],
        }),
      );
      return retryAfterMs > 0 ? { ok: false, retryAfterMs } : { ok: true };
    },
  };

  return {
    nodeId,
    adapter: createAdapter(publisherOf(client, logger), subscriber, { key: `${KEY_PREFIX}socket.io` }),
    authLimiters: createAuthLimiters(
      config,
      (options) =>
        new RateLimiterRedis({
          ...options,
          keyPrefix: `${KEY_PREFIX}${options.keyPrefix}`,
          storeClient: client,
          useRedisPackage: true,
        }),
    ),
    connectionCounter,
    sendLimiter,
    async ping() {
      // While Redis is away commands wait in the client's queue: a health check must not.
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        client.ping(),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => reject(new Error("redis did not answer")), PING_TIMEOUT_MS);
        }),
      ]).finally(() => clearTimeout(timeout));
    },
    async close() {
      clearInterval(timer);
      // Commands already sent (socket releases) complete before the connection closes.
      await client
        .multi()
        .sRem(nodesKey, nodeId)
        .del([aliveKey(nodeId), socketsKey(nodeId)])
        .exec()
        .catch((err: unknown) => logger.warn({ err }, "redis cleanup failed"));
      await Promise.all([subscriber.close(), client.close()]);
    },
  };
}
