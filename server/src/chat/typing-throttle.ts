import { LIMITS } from "../../../shared/protocol";

export const TYPING_RELAY_INTERVAL_MS = 1000;
const SWEEP_ABOVE = 1000;

type TypingState = { lastStartAt: number; typing: boolean };

/** Whether to relay a user's typing signal in a conversation; kept in this process, or in Redis by several nodes. */
export type TypingThrottle = (userId: string, conversationId: string, typing: boolean) => Promise<boolean>;

/**
 * Decides which typing signals are relayed, so the peer only hears state
 * changes: at most one `typing: true` per user and conversation per second,
 * even across a `typing: false` (clients renew it every few seconds; a
 * misbehaving one must not flood the peer), and `typing: false` only when it
 * ends a relayed `typing: true`.
 */
export function createTypingThrottle(now: () => number = Date.now): TypingThrottle {
  const states = new Map<string, TypingState>();
  let lastSweepAt = -Infinity;

  // A state is forgotten once it decides nothing: its window has passed and the
  // peer has expired the relayed typing:true by itself (a late false then goes unsaid).
  function sweep(t: number) {
    lastSweepAt = t;
    for (const [key, state] of states) {
      const age = t - state.lastStartAt;
      if (age >= (state.typing ? LIMITS.typingExpiryMs : TYPING_RELAY_INTERVAL_MS)) states.delete(key);
    }
  }

  function shouldRelay(userId: string, conversationId: string, typing: boolean): boolean {
    const t = now();
    // At most one sweep a second keeps the map bounded without a full scan per signal.
    if (states.size >= SWEEP_ABOVE && t - lastSweepAt >= TYPING_RELAY_INTERVAL_MS) sweep(t);
    const key = `${userId} ${conversationId}`;
    const state = states.get(key);
    if (!typing) {
      if (!state?.typing) return false;
      state.typing = false;
      return true;
    }
    if (state && t - state.lastStartAt < TYPING_RELAY_INTERVAL_MS) return false;
    states.set(key, { lastStartAt: t, typing: true });
    return true;
  }

  return (userId, conversationId, typing) => Promise.resolve(shouldRelay(userId, conversationId, typing));
}
