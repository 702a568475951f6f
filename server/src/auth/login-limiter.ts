export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
// Above this many remembered usernames, those without a recent failure are forgotten.
const SWEEP_ABOVE = 10_000;

/**
 * Counts failed logins per username in a sliding 15-minute window. Unknown
 * usernames count too, so probing cannot tell which names exist.
 */
export function createLoginLimiter(options: { maxFailures: number; windowMs?: number; now?: () => number }) {
  const { maxFailures, windowMs = LOGIN_WINDOW_MS, now = Date.now } = options;
  const failures = new Map<string, number[]>();

  function recent(username: string): number[] {
    const cutoff = now() - windowMs;
    const kept = (failures.get(username) ?? []).filter((t) => t > cutoff);
    if (kept.length) failures.set(username, kept);
    else failures.delete(username);
    return kept;
  }

  return {
    /** Milliseconds until a login for this username may be tried again, or 0. */
    retryAfterMs(username: string): number {
      const times = recent(username);
      if (times.length < maxFailures) return 0;
      const oldestCounted = times[times.length - maxFailures] ?? now();
      return Math.max(1, oldestCounted + windowMs - now());
    },
    recordFailure(username: string): void {
      if (failures.size > SWEEP_ABOVE) for (const name of [...failures.keys()]) recent(name);
      failures.set(username, [...recent(username), now()].slice(-maxFailures));
    },
    reset(username: string): void {
      failures.delete(username);
    },
  };
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>;
