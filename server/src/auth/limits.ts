import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../config";
import { AppError } from "../errors";

/** What the auth limits use of a limiter; rate-limiter-flexible's memory and Redis limiters both fit. */
export type Limiter = Pick<RateLimiterAbstract, "consume" | "reward" | "delete">;

export type AuthLimiters = {
  /** Registrations per client IP per hour. */
  registerPerIp: Limiter;
  /** Login attempts per client IP per minute, whatever the usernames. */
  loginPerIp: Limiter;
  /** Failed logins per (client IP, username) per 15 minutes. */
  failuresPerIpUsername: Limiter;
  /** Failed logins per username from all IPs per 15 minutes: the ceiling a botnet hits. */
  failuresPerUsername: Limiter;
};

const LOGIN_FAILURE_WINDOW_S = 15 * 60;
/** The per-username ceiling is this many times the per-(IP, username) limit. */
const USERNAME_CEILING_FACTOR = 10;

type LimitConfig = Pick<Config, "registerRatePerHour" | "loginRatePerMin" | "loginMaxFailures">;

/** What a limiter is built from: rate-limiter-flexible's options common to its memory and Redis limiters. */
export type LimiterOptions = { keyPrefix: string; points: number; duration: number };

/** The four auth limiters with the configured limits, each built by `make`. */
export function createAuthLimiters(config: LimitConfig, make: (options: LimiterOptions) => Limiter): AuthLimiters {
  return {
    registerPerIp: make({ keyPrefix: "register-ip", points: config.registerRatePerHour, duration: 3600 }),
    loginPerIp: make({ keyPrefix: "login-ip", points: config.loginRatePerMin, duration: 60 }),
    failuresPerIpUsername: make({
      keyPrefix: "login-fail-ip-user",
      points: config.loginMaxFailures,
      duration: LOGIN_FAILURE_WINDOW_S,
    }),
    failuresPerUsername: make({
      keyPrefix: "login-fail-user",
      points: config.loginMaxFailures * USERNAME_CEILING_FACTOR,
      duration: LOGIN_FAILURE_WINDOW_S,
    }),
  };
}

/** In-process limiters: right for one node; several nodes pass Redis-backed ones to createApp instead. */
export function createMemoryAuthLimiters(config: LimitConfig): AuthLimiters {
  return createAuthLimiters(config, (options) => new RateLimiterMemory(options));
}

/** Spends one point; a refusal becomes 429 RATE_LIMITED, any other failure (the limiter's store) propagates. */
export async function spend(limiter: Limiter, key: string, message: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    throw new AppError("RATE_LIMITED", message, 429, Math.max(1, Math.ceil(rejection.msBeforeNext)));
  }
}

const LOCKED = "too many failed sign-in attempts; try again later";

/** The registration and login limits of PROTOCOL.md over a set of limiters. */
export function createAuthLimits(limiters: AuthLimiters) {
  return {
    /** Pays for one registration from `ip`'s hourly allowance, or throws RATE_LIMITED. */
    async register(ip: string): Promise<void> {
      await spend(limiters.registerPerIp, ip, "too many accounts created from this address; try again later");
    },

    /**
     * Runs a password check for `username` from `ip` under the login limits
     * and returns its result; a false result counts as a failed login.
     */
    async checkPassword(username: string, ip: string, verify: () => Promise<boolean>): Promise<boolean> {
      await spend(limiters.loginPerIp, ip, "too many sign-in attempts from this address; try again later");
      // An IP never contains '|', so the key cannot collide whatever the username holds.
      const pairKey = `${ip}|${username}`;
      // The failure is reserved before the check, so parallel guesses cannot overshoot the limit.
      await spend(limiters.failuresPerIpUsername, pairKey, LOCKED);
      try {
        await spend(limiters.failuresPerUsername, username, LOCKED);
      } catch (error) {
        await limiters.failuresPerIpUsername.reward(pairKey);
        throw error;
      }
      let ok: boolean;
      try {
        ok = await verify();
      } catch (error) {
        await Promise.all([
          limiters.failuresPerIpUsername.reward(pairKey),
          limiters.failuresPerUsername.reward(username),
        ]);
        throw error;
      }
      // A success clears this IP's count and returns the reserved point; others' failures stay counted.
      if (ok)
        await Promise.all([
          limiters.failuresPerIpUsername.delete(pairKey),
          limiters.failuresPerUsername.reward(username),
        ]);
      return ok;
    },
  };
}

export type AuthLimits = ReturnType<typeof createAuthLimits>;
