import { createHash, randomBytes } from "node:crypto";

const RENEW_STEP_MS = 60 * 60 * 1000;

/** A 256-bit bearer token; only its hash is stored, so a database leak reveals no usable token. */
export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/**
 * The new expiry of a session used at `now`, or null to keep the stored one.
 * Sliding expiry without a write on every request: the session is renewed
 * only once it has aged by an hour (a tenth of the lifetime when that is shorter).
 */
export function renewedExpiry(now: number, expiresAt: number, ttlMs: number): number | null {
  const renewed = now + ttlMs;
  return renewed - expiresAt > Math.min(RENEW_STEP_MS, ttlMs / 10) ? renewed : null;
}
