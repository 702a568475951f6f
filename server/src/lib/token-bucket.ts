export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * Token buckets keyed by an id (a user): `burst` tokens at most, refilled at
 * `perSecond`. Time is injected so the arithmetic is testable.
 */
export function createTokenBuckets(options: { burst: number; perSecond: number; now?: () => number }) {
  const { burst, perSecond, now = Date.now } = options;
  const buckets = new Map<string, { tokens: number; at: number }>();

  return function take(key: string): TakeResult {
    const t = now();
    const bucket = buckets.get(key) ?? { tokens: burst, at: t };
    bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * perSecond);
    bucket.at = t;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      // A full bucket is the default state, so it need not be remembered.
      if (bucket.tokens >= burst - 1e-9) buckets.delete(key);
      else buckets.set(key, bucket);
      return { ok: true };
    }
    buckets.set(key, bucket);
    return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / perSecond) * 1000) };
  };
}
