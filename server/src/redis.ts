import { randomUUID } from "node:crypto";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { LIMITS } from "../../shared/protocol";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { createAuthLimiters } from "./auth/limits";
import type { AuthLimiters, Limiter, LimiterOptions } from "./auth/limits";
import { groupCreateLimit } from "./chat/groups";
import type { Config } from "./config";
import type { Logger } from "./logger";
import type { ReactionLimiter, SendLimiter, SendRate } from "./chat/send-limiter";
import type { Presence, PresenceReport } from "./chat/presence";
import { TYPING_RELAY_INTERVAL_MS } from "./chat/typing-throttle";
import type { TypingThrottle } from "./chat/typing-throttle";
import type { ConnectionCounter } from "./realtime/connection-counter";

/** Every key Parley writes starts with this, so a shared Redis can tell them apart. */
const KEY_PREFIX = "parley:";
const PING_TIMEOUT_MS = 2000;
/** How long a closing node waits, in all, for Redis to answer its cleanup and for its connections to close. */
const CLOSE_WAIT_MS = 2000;

/** The promise's outcome, or a rejection once `ms` have passed without one. */
async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timeout: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timeout));
}

const nodesKey = `${KEY_PREFIX}nodes`;
const aliveKey = (nodeId: string) => `${KEY_PREFIX}node:${nodeId}`;
const socketsKey = (nodeId: string) => `${KEY_PREFIX}sockets:${nodeId}`;
const presenceKey = `${KEY_PREFIX}presence`;
const presenceDueKey = `${KEY_PREFIX}presence-due`;

// A user's sockets on the live nodes: one hash of user -> sockets per node, counted only while the
// node's heartbeat lasts. A dead node's hash stays until a live node claims it (SWEEP below), so its
// users can be announced offline. (Keys are derived in the scripts: this needs one Redis, not a cluster.)
const LIVE_SOCKETS = `
local function live_sockets(user)
  local total = 0
  for _, n in ipairs(redis.call('SMEMBERS', '${nodesKey}')) do
    if redis.call('EXISTS', '${KEY_PREFIX}node:' .. n) == 1 then
      total = total + tonumber(redis.call('HGET', '${KEY_PREFIX}sockets:' .. n, user) or '0')
    end
  end
  return total
end
`;

// The cap is checked and taken in one script, so two nodes cannot both let the last socket in.
const ACQUIRE = `${LIVE_SOCKETS}
local node, user, max, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
if live_sockets(user) >= max then return 0 end
redis.call('SADD', '${nodesKey}', node)
redis.call('SET', '${KEY_PREFIX}node:' .. node, '1', 'PX', ttl)
redis.call('HINCRBY', '${KEY_PREFIX}sockets:' .. node, user, 1)
return 1
`;

const RELEASE = `
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1
`;

const HEARTBEAT = `
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return 1
`;

// Presence: the hash holds every user announced online, as 'up', or as the token of the disconnect
// that started their grace period; the sorted set holds when each grace period ends. Each change is
// decided in one script, so exactly one node announces it.
const PRESENCE_CONNECTED = `
local was = redis.call('HGET', '${presenceKey}', ARGV[1])
redis.call('HSET', '${presenceKey}', ARGV[1], 'up')
redis.call('ZREM', '${presenceDueKey}', ARGV[1])
if was then return 0 end
return 1
`;

// Every disconnect restarts the grace period, whatever sockets are left: it is their count when the
// period ends that decides, so the period runs from the last socket gone, on whichever node it was.
const PRESENCE_DISCONNECTED = `
if not redis.call('HGET', '${presenceKey}', ARGV[1]) then return 0 end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('HSET', '${presenceKey}', ARGV[1], ARGV[2])
redis.call('ZADD', '${presenceDueKey}', now + tonumber(ARGV[3]), ARGV[1])
return 1
`;

// A grace period is over: the user stays online with a socket left on a live node, else goes offline.
const SETTLE = `${LIVE_SOCKETS}
local function settle(user)
  redis.call('ZREM', '${presenceDueKey}', user)
  if live_sockets(user) > 0 then
    redis.call('HSET', '${presenceKey}', user, 'up')
    return 0
  end
  redis.call('HDEL', '${presenceKey}', user)
  return 1
end
`;

// Run by the node whose disconnect started the period; a later connect or disconnect replaced the token.
const PRESENCE_GRACE_OVER = `${SETTLE}
if redis.call('HGET', '${presenceKey}', ARGV[1]) ~= ARGV[2] then return 0 end
return settle(ARGV[1])
`;

// Run by every node now and then; returns the users who went offline. A dead node (heartbeat expired)
// is claimed by removing it from the set, which one sweep only can do: its users without a socket on
// a live node go offline. Grace periods that their node did not end (it crashed or shut down) end here.
const SWEEP = `${SETTLE}
local offline = {}
for _, n in ipairs(redis.call('SMEMBERS', '${nodesKey}')) do
  if redis.call('EXISTS', '${KEY_PREFIX}node:' .. n) == 0 then
    redis.call('SREM', '${nodesKey}', n)
    local users = redis.call('HKEYS', '${KEY_PREFIX}sockets:' .. n)
    redis.call('DEL', '${KEY_PREFIX}sockets:' .. n)
    for _, user in ipairs(users) do
      if redis.call('HEXISTS', '${presenceKey}', user) == 1 and settle(user) == 1 then
        table.insert(offline, user)
      end
    end
  end
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for _, user in ipairs(redis.call('ZRANGEBYSCORE', '${presenceDueKey}', '-inf', now)) do
  if settle(user) == 1 then table.insert(offline, user) end
end
return offline
`;

// The typing throttle of chat/typing-throttle.ts for all nodes: KEYS[1] is the one-second window
// after a relayed typing:true, KEYS[2] lives while the peer still shows that typing:true.
const TYPING = `
if ARGV[1] == '0' then return redis.call('DEL', KEYS[2]) end
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then return 0 end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
return 1
`;

// A per-user token bucket (sends, reactions) of lib/token-bucket.ts's arithmetic, on Redis's clock so
// nodes' clocks do not matter.
const TAKE_TOKEN = `
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

// A missing key is a full bucket already; otherwise one token more, never above the burst.
const GIVE_BACK_TOKEN = `
local saved = redis.call('HGET', KEYS[1], 'tokens')
if saved then redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', math.min(tonumber(ARGV[1]), tonumber(saved) + 1))) end
return 0
`;

export type RedisServices = {
  /** This node's id in the shared keys. */
  nodeId: string;
  /** The Socket.IO adapter that carries rooms and remote socket operations between nodes. */
  adapter: ReturnType<typeof createAdapter>;
  authLimiters: AuthLimiters;
  connectionCounter: ConnectionCounter;
  sendLimiter: SendLimiter;
  reactionLimiter: ReactionLimiter;
  groupCreateLimiter: Limiter;
  presence: Presence;
  typingThrottle: TypingThrottle;
  /** Resolves when Redis answers a PING. */
  ping(): Promise<void>;
  /** Drops this node's shared state and closes the connections. */
  close(): Promise<void>;
};

type RedisClient = ReturnType<typeof createClient>;
/** A node's two connections: commands and publishing share one; subscribing needs its own. */
export type RedisConnections = { client: RedisClient; subscriber: RedisClient };

export async function openRedisConnections(
  { redisUrl: url, redisQueueMax }: Pick<Config, "redisUrl" | "redisQueueMax">,
  logger: Logger,
): Promise<RedisConnections> {
  if (!url) throw new Error("REDIS_URL is not set");
  // While Redis is away the client keeps commands for the reconnect: a blip costs nothing, and the
  // bound keeps a long outage from holding every send, presence change and broadcast in memory.
  const client = createClient({ url, commandsQueueMaxLength: redisQueueMax });
  const subscriber = client.duplicate();
  // Without a listener an error would end the process; the clients reconnect by themselves.
  for (const c of [client, subscriber]) c.on("error", (err: unknown) => logger.warn({ err }, "redis error"));
  await Promise.all([client.connect(), subscriber.connect()]);
  return { client, subscriber };
}

/**
 * Presence shared by every node: connects and disconnects update it through the scripts above, the
 * node that started a grace period ends it, and every node sweeps for dead nodes and for grace
 * periods left over by a node that went away.
 */
function createRedisPresence(
  client: RedisClient,
  timing: { graceMs: number; sweepMs: number },
  logger: Logger,
): Presence {
  const graceTimers = new Set<NodeJS.Timeout>();
  let report: PresenceReport | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  const warn = (what: string) => (err: unknown) => logger.warn({ err }, what);

  function endGrace(userId: string, token: string) {
    client.eval(PRESENCE_GRACE_OVER, { arguments: [userId, token] }).then((wentOffline) => {
      if (wentOffline === 1) report?.(userId, false);
    }, warn("presence update failed"));
  }

  function sweep() {
    client.eval(SWEEP).then((offline) => {
      for (const userId of offline as string[]) report?.(userId, false);
    }, warn("presence sweep failed"));
  }

  return {
    async onlineAmong(userIds) {
      if (userIds.length === 0) return new Set<string>();
      const found = await client.hmGet(presenceKey, [...userIds]);
      return new Set(userIds.filter((_, i) => found[i] !== null));
    },

    socketConnected(userId) {
      client.eval(PRESENCE_CONNECTED, { arguments: [userId] }).then((cameOnline) => {
        if (cameOnline === 1) report?.(userId, true);
      }, warn("presence update failed"));
    },

    // After close too: a node shutting down leaves its users' grace periods for the others to end.
    socketDisconnected(userId) {
      const token = randomUUID();
      client.eval(PRESENCE_DISCONNECTED, { arguments: [userId, token, String(timing.graceMs)] }).then((started) => {
        if (started !== 1 || !report) return;
        const timer = setTimeout(() => {
          graceTimers.delete(timer);
          endGrace(userId, token);
        }, timing.graceMs);
        graceTimers.add(timer.unref());
      }, warn("presence update failed"));
    },

    start(onChange) {
      report = onChange;
      sweepTimer = setInterval(sweep, timing.sweepMs).unref();
    },

    close() {
      report = undefined;
      clearInterval(sweepTimer);
      for (const timer of graceTimers) clearTimeout(timer);
      graceTimers.clear();
    },
  };
}

/**
 * The client as the adapter uses it, with the failures of `commands` logged. The adapter handles
 * neither a failed publish (Redis gone, or a broadcast finishing after close) nor a failed unsubscribe
 * (its close while Redis is gone), and an unhandled rejection would end the process; a lost broadcast
 * is what the clients' seq/rev catch-up already repairs.
 */
function failuresLogged<C extends object>(client: C, commands: ReadonlySet<string | symbol>, logger: Logger): C {
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (!commands.has(property)) return value.bind(target);
      return (...args: unknown[]) =>
        (value.apply(target, args) as Promise<unknown>).catch((err: unknown) =>
          logger.warn({ err, command: String(property) }, "redis command for the adapter failed"),
        );
    },
  });
}

/**
 * Connects to REDIS_URL (or uses `connections`) and builds what several nodes share: the adapter,
 * the limiters, the socket counts, presence and the typing throttle.
 */
export async function connectRedis(
  config: Pick<
    Config,
    | "redisUrl"
    | "redisQueueMax"
    | "registerRatePerHour"
    | "loginRatePerMin"
    | "loginMaxFailures"
    | "maxSocketsPerUser"
    | "sendRateBurst"
    | "sendRatePerSec"
    | "reactionRateBurst"
    | "reactionRatePerSec"
    | "groupCreatePerHour"
    | "presenceGraceMs"
    | "nodeTtlMs"
  >,
  logger: Logger,
  connections?: RedisConnections,
): Promise<RedisServices> {
  const nodeId = randomUUID();
  const { client, subscriber } = connections ?? (await openRedisConnections(config, logger));
  const heartbeatMs = config.nodeTtlMs / 3;

  const heartbeat = () =>
    client.eval(HEARTBEAT, { keys: [nodesKey, aliveKey(nodeId)], arguments: [nodeId, String(config.nodeTtlMs)] });
  await heartbeat();
  const timer = setInterval(
    () => void heartbeat().catch((err: unknown) => logger.warn({ err }, "redis heartbeat failed")),
    heartbeatMs,
  ).unref();

  const connectionCounter: ConnectionCounter = {
    async acquire(userId) {
      const taken = await client.eval(ACQUIRE, {
        arguments: [nodeId, userId, String(config.maxSocketsPerUser), String(config.nodeTtlMs)],
      });
      return taken === 1;
    },
    release(userId) {
      client
        .eval(RELEASE, { keys: [socketsKey(nodeId)], arguments: [userId] })
        .catch((err: unknown) => logger.warn({ err }, "socket count release failed"));
    },
  };

  /** Each user's bucket of one kind (`name`), shared by every node. */
  const userBuckets = (name: string, rate: SendRate): SendLimiter => ({
    async take(userId) {
      const retryAfterMs = Number(
        await client.eval(TAKE_TOKEN, {
          keys: [`${KEY_PREFIX}${name}:${userId}`],
          arguments: [String(rate.burst), String(rate.perSecond)],
        }),
      );
      return retryAfterMs > 0 ? { ok: false, retryAfterMs } : { ok: true };
    },
    async giveBack(userId) {
      await client.eval(GIVE_BACK_TOKEN, {
        keys: [`${KEY_PREFIX}${name}:${userId}`],
        arguments: [String(rate.burst)],
      });
    },
  });

  const redisLimiter = (options: LimiterOptions) =>
    new RateLimiterRedis({
      ...options,
      keyPrefix: `${KEY_PREFIX}${options.keyPrefix}`,
      storeClient: client,
      useRedisPackage: true,
    });

  return {
    nodeId,
    adapter: createAdapter(
      failuresLogged(client, new Set(["publish"]), logger),
      failuresLogged(subscriber, new Set(["pUnsubscribe", "unsubscribe"]), logger),
      { key: `${KEY_PREFIX}socket.io` },
    ),
    authLimiters: createAuthLimiters(config, redisLimiter),
    connectionCounter,
    sendLimiter: userBuckets("send", { burst: config.sendRateBurst, perSecond: config.sendRatePerSec }),
    reactionLimiter: userBuckets("reaction", { burst: config.reactionRateBurst, perSecond: config.reactionRatePerSec }),
    groupCreateLimiter: redisLimiter(groupCreateLimit(config.groupCreatePerHour)),
    presence: createRedisPresence(client, { graceMs: config.presenceGraceMs, sweepMs: heartbeatMs }, logger),
    async typingThrottle(userId, conversationId, typing) {
      const key = `${userId}|${conversationId}`;
      const relayed = await client.eval(TYPING, {
        keys: [`${KEY_PREFIX}typing-window:${key}`, `${KEY_PREFIX}typing:${key}`],
        arguments: [typing ? "1" : "0", String(TYPING_RELAY_INTERVAL_MS), String(LIMITS.typingExpiryMs)],
      });
      return relayed === 1;
    },
    async ping() {
      // While Redis is away commands wait in the client's queue: a health check must not.
      if (!client.isReady) throw new Error("redis is not connected");
      await withinMs(client.ping(), PING_TIMEOUT_MS);
    },
    async close() {
      clearInterval(timer);
      // Destroyed connections have nothing left to clean up or close.
      if (!client.isOpen) return;
      // Redis answers in order, so once the cleanup is answered every command sent before it (socket
      // releases) is too, and close() lets whatever else is in flight finish. With Redis away all of it
      // would wait for a reconnect, and a closing node must not: it stops waiting after CLOSE_WAIT_MS.
      // Closed, neither connection reconnects; the node's keys expire and are swept as a dead node's.
      const deadline = Date.now() + CLOSE_WAIT_MS;
      const left = () => Math.max(0, deadline - Date.now());
      await withinMs(
        client
          .multi()
          .sRem(nodesKey, nodeId)
          .del([aliveKey(nodeId), socketsKey(nodeId)])
          .exec(),
        left(),
      ).catch((err: unknown) => logger.warn({ err }, "redis cleanup failed"));
      await withinMs(Promise.all([subscriber.close(), client.close()]), left()).catch((err: unknown) =>
        logger.warn({ err }, "redis connections closed with commands unanswered"),
      );
    },
  };
}
