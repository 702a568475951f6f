import { randomBytes } from "node:crypto";

// One call into the CSPRNG fills this many bytes: a call per id cost more than the rest of making it.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

function randomChars(bytes: number): string {
  if (used + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  used += bytes;
  return pool.toString("base64url", used - bytes, used);
}

/** A random url-safe id (128 bits); never contains ':' so room names stay splittable. */
export function newId(): string {
  return randomChars(16);
}

// base64url's 64 characters in ASCII order, so later times sort later as strings.
const SORTABLE_DIGITS = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
const TIME_DIGITS = 8; // 48 bits of milliseconds: until the year 10889

/**
 * A message id: its creation time in milliseconds, in characters that sort as
 * the time does, then 96 random bits. Consecutive messages then land side by
 * side at the end of the messages' primary key, so a commit rewrites one page
 * of that index instead of one per message, as random ids did
 * (docs/benchmarks.md). Url-safe, 24 characters, never ':'.
 */
export function newMessageId(now = Date.now()): string {
  let time = "";
  for (let i = 0, rest = now; i < TIME_DIGITS; i++, rest = Math.floor(rest / 64)) {
    time = SORTABLE_DIGITS[rest % 64]! + time;
  }
  return time + randomChars(12);
}

export function nowIso(): string {
  return new Date().toISOString();
}
