import { createTokenBuckets } from "../lib/token-bucket";
import type { TakeResult } from "../lib/token-bucket";

/**
 * The per-user send token bucket (sends, edits, deletes). Behind an interface
 * so a shared (Redis) bucket can replace the in-process one on several nodes.
 */
export interface SendLimiter {
  /** Takes one token from the user's bucket, or says how long until one is there. */
  take(userId: string): Promise<TakeResult>;
  /** Returns a token taken for a send that turned out to be a retry of a stored message. */
  giveBack(userId: string): Promise<void>;
}

export type SendRate = { burst: number; perSecond: number };

/** The per-user reaction token bucket (PROTOCOL-v2 §10): a bucket of its own, so reacting never slows sending. */
export type ReactionLimiter = Pick<SendLimiter, "take">;

/** The single-node bucket, in process memory. */
export function createMemorySendLimiter(rate: SendRate): SendLimiter {
  const buckets = createTokenBuckets(rate);
  return {
    take: (userId) => Promise.resolve(buckets.take(userId)),
    giveBack: (userId) => Promise.resolve(buckets.giveBack(userId)),
  };
}
