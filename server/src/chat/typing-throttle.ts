export const TYPING_RELAY_INTERVAL_MS = 1000;
const SWEEP_ABOVE = 1000;

/**
 * Decides which typing signals are relayed: at most one `typing: true` per
 * user and conversation per second, even across a `typing: false` (clients
 * renew it every few seconds; a misbehaving one must not flood the peer).
 * `typing: false` always passes.
 */
export function createTypingThrottle(now: () => number = Date.now) {
  const lastRelayed = new Map<string, number>();

  function sweep(t: number) {
    for (const [key, at] of lastRelayed) if (t - at >= TYPING_RELAY_INTERVAL_MS) lastRelayed.delete(key);
  }

  return function shouldRelay(userId: string, conversationId: string, typing: boolean): boolean {
    if (!typing) return true;
    const t = now();
    const key = `${userId} ${conversationId}`;
    const last = lastRelayed.get(key);
    if (last !== undefined && t - last < TYPING_RELAY_INTERVAL_MS) return false;
    if (lastRelayed.size >= SWEEP_ABOVE) sweep(t);
    lastRelayed.set(key, t);
    return true;
  };
}
