import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { LIMITS } from "../../shared/protocol";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A start-up problem worth one readable line each, printed without a stack trace. */
export class StartupError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "StartupError";
  }
}

function intVar(fallback: number, min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `must be an integer between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .default(fallback);
}

function urlVar(protocols: string[]) {
  return z
    .string()
    .trim()
    .refine(
      (value) => protocols.some((p) => value.startsWith(`${p}://`)),
      `must start with ${protocols.map((p) => `${p}://`).join(" or ")}`,
    )
    .optional();
}

// Empty variables (`PORT=`) count as unset, as in most shells' intent.
const emptyToUndefined = (value: unknown) => (value === "" ? undefined : value);

const envSchema = z.object({
  PORT: intVar(3000, 0, 65535),
  // Unset: listen on every interface (IPv6 and IPv4 when available), so http://localhost works either way.
  HOST: z.string().trim().min(1).optional(),
  DATA_DIR: z.string().default("./data"),
  DATABASE_URL: urlVar(["postgres", "postgresql"]),
  DATABASE_POOL_SIZE: intVar(10, 1, 1000),
  REDIS_URL: urlVar(["redis", "rediss"]),
  // Commands a node holds for Redis while it is away or slow; past this they fail at once.
  REDIS_QUEUE_MAX: intVar(10_000, 1, 1_000_000),
  CORS_ORIGIN: z.string().trim().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SEND_RATE_BURST: intVar(30, 1, 100_000),
  SEND_RATE_PER_SEC: intVar(5, 1, 100_000),
  REACTION_RATE_BURST: intVar(30, 1, 100_000),
  REACTION_RATE_PER_SEC: intVar(5, 1, 100_000),
  REACTIONS_MAX_DISTINCT: intVar(LIMITS.reactionsMaxDistinct, 1, 10_000),
  REACTIONS_MAX_PER_USER: intVar(LIMITS.reactionsMaxPerUser, 1, 10_000),
  LOGIN_MAX_FAILURES: intVar(10, 1, 100_000),
  LOGIN_RATE_PER_MIN: intVar(60, 1, 100_000),
  REGISTER_RATE_PER_HOUR: intVar(20, 1, 100_000),
  EVENT_RATE_BURST: intVar(60, 1, 100_000),
  EVENT_RATE_PER_SEC: intVar(20, 1, 100_000),
  MAX_SOCKETS_PER_USER: intVar(20, 1, 100_000),
  GROUP_MAX_MEMBERS: intVar(LIMITS.groupMaxMembersDefault, 1, 100_000),
  GROUP_CREATE_PER_HOUR: intVar(20, 1, 100_000),
  MAX_SOCKET_BUFFER_BYTES: intVar(4 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
  // Express's `trust proxy` setting: which proxies may name the client IP in X-Forwarded-For.
  TRUST_PROXY: z.string().trim().optional(),
  METRICS_TOKEN: z.string().trim().min(16, "must be at least 16 characters").optional(),
  // Sessions expire this long after their last use (30 days); tests shorten it.
  SESSION_TTL_MS: intVar(30 * 24 * 60 * 60 * 1000, 1000, 365 * 24 * 60 * 60 * 1000),
  PRESENCE_GRACE_MS: intVar(3000, 0, 60_000),
  // With REDIS_URL: a node whose heartbeat stops is taken for dead after this long (its sockets, its users' presence).
  NODE_TTL_MS: intVar(7500, 300, 600_000),
  // log2 of scrypt's N; tests lower it to keep registration cheap.
  SCRYPT_LOG_N: intVar(14, 10, 20),
  CLIENT_DIST: z.string().optional(),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

export type Config = {
  port: number;
  host: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  redisUrl: string | undefined;
  /** Redis commands a node's client holds (unsent or unanswered) before it refuses more. */
  redisQueueMax: number;
  corsOrigins: string[];
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  sendRateBurst: number;
  sendRatePerSec: number;
  reactionRateBurst: number;
  reactionRatePerSec: number;
  /** Distinct emoji on one message at most. */
  reactionsMaxDistinct: number;
  /** One user's reactions on one message at most. */
  reactionsMaxPerUser: number;
  loginMaxFailures: number;
  loginRatePerMin: number;
  registerRatePerHour: number;
  eventRateBurst: number;
  eventRatePerSec: number;
  maxSocketsPerUser: number;
  groupMaxMembers: number;
  /** Groups one user may create in an hour. */
  groupCreatePerHour: number;
  maxSocketBufferBytes: number;
  trustProxy: boolean | number | string;
  metricsToken: string | undefined;
  sessionTtlMs: number;
  presenceGraceMs: number;
  nodeTtlMs: number;
  scryptLogN: number;
  clientDist: string;
  nodeEnv: z.infer<typeof envSchema>["NODE_ENV"];
};

/** TRUST_PROXY as Express takes it: true/false, a hop count, or addresses and subnets ("loopback, 10.0.0.0/8"). */
function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === "false") return false;
  if (value === "true") return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** Reads the configuration from an environment; throws a StartupError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const input = Object.fromEntries(Object.keys(envSchema.shape).map((key) => [key, emptyToUndefined(env[key])]));
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    throw new StartupError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? "environment");
        return `${name}: ${issue.message} (got ${JSON.stringify(env[name])})`;
      }),
    );
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    redisUrl: e.REDIS_URL,
    redisQueueMax: e.REDIS_QUEUE_MAX,
    corsOrigins: e.CORS_ORIGIN
      ? e.CORS_ORIGIN.split(",")
          .map((o) => o.trim())
          .filter(Boolean)
      : [],
    logLevel: e.LOG_LEVEL,
    sendRateBurst: e.SEND_RATE_BURST,
    sendRatePerSec: e.SEND_RATE_PER_SEC,
    reactionRateBurst: e.REACTION_RATE_BURST,
    reactionRatePerSec: e.REACTION_RATE_PER_SEC,
    reactionsMaxDistinct: e.REACTIONS_MAX_DISTINCT,
    reactionsMaxPerUser: e.REACTIONS_MAX_PER_USER,
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    loginRatePerMin: e.LOGIN_RATE_PER_MIN,
    registerRatePerHour: e.REGISTER_RATE_PER_HOUR,
    eventRateBurst: e.EVENT_RATE_BURST,
    eventRatePerSec: e.EVENT_RATE_PER_SEC,
    maxSocketsPerUser: e.MAX_SOCKETS_PER_USER,
    groupMaxMembers: e.GROUP_MAX_MEMBERS,
    groupCreatePerHour: e.GROUP_CREATE_PER_HOUR,
    maxSocketBufferBytes: e.MAX_SOCKET_BUFFER_BYTES,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    metricsToken: e.METRICS_TOKEN,
    sessionTtlMs: e.SESSION_TTL_MS,
    presenceGraceMs: e.PRESENCE_GRACE_MS,
    nodeTtlMs: e.NODE_TTL_MS,
    scryptLogN: e.SCRYPT_LOG_N,
    clientDist: e.CLIENT_DIST
      ? isAbsolute(e.CLIENT_DIST)
        ? e.CLIENT_DIST
        : resolve(e.CLIENT_DIST)
      : resolve(REPO_ROOT, "client/dist"),
    nodeEnv: e.NODE_ENV,
  };
}
