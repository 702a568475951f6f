export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

// Above this many remembered buckets, full ones are forgotten (a full bucket is the default).
const SWEEP_ABOVE = 10_000;

/**
 * Token buckets keyed by an id (a user): `burst` tokens at most, refilled at
 * `perSecond`. Time is injected so the arithmetic is testable.
 */
export function createTokenBuckets(options: { burst: number; perSecond: number; now?: () => number }) {
  const { burst, perSecond, now = Date.now } = options;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refilled = (bucket: { tokens: number; at: number }, t: number) =>
    Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * perSecond);

  function take(key: string): TakeResult {
    const t = now();
    if (buckets.size > SWEEP_ABOVE) {
      for (const [k, b] of buckets) if (refilled(b, t) >= burst) buckets.delete(k);
    }
    const previous = buckets.get(key);
    const tokens = previous ? refilled(previous, t) : burst;
    if (tokens >= 1) {
      buckets.set(key, { tokens: tokens - 1, at: t });
      return { ok: true };
    }
    buckets.set(key, { tokens, at: t });
    return { ok: false, retryAfterMs: Math.ceil(((1 - tokens) / perSecond) * 1000) };
  }

  /** Returns a token taken for work that turned out to cost nothing; a forgotten bucket is full already. */
  function giveBack(key: string): void {
    const bucket = buckets.get(key);
    if (bucket) bucket.tokens = Math.min(burst, bucket.tokens + 1);
  }

  return { take, giveBack };
}

/** One token bucket, for state that lives and dies with its owner (a socket): no map, nothing to sweep. */
export function createTokenBucket(options: { burst: number; perSecond: number; now?: () => number }) {
  const { burst, perSecond, now = Date.now } = options;
  let tokens = burst;
  let at = now();
  return function take(): TakeResult {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - at) / 1000) * perSecond);
    at = t;
    if (tokens >= 1) {
      tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - tokens) / perSecond) * 1000) };
  };
}
