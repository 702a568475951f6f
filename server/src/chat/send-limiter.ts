import { createTokenBuckets } from "../lib/token-bucket";
import type { TakeResult } from "../lib/token-bucket";

/**
 * The per-user send token bucket (sends, edits, deletes). Behind an interface
 * so a shared (Redis) bucket can replace the in-process one on several nodes.
 */
export interface SendLimiter {
  /** Takes one token from the user's bucket, or says how long until one is there. */
  take(userId: string): Promise<TakeResult>;
}

export type SendRate = { burst: number; perSecond: number };

/** The single-node bucket, in process memory. */
export function createMemorySendLimiter(rate: SendRate): SendLimiter {
  const take = createTokenBuckets(rate);
  return { take: (userId) => Promise.resolve(take(userId)) };
}
