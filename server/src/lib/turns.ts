/**
 * Turns of the event loop shared out by key: at most one task of a key starts
 * in one turn, so a key with many tasks ready (a user on many connections)
 * gets one of them into each turn while every other key's tasks come in
 * between. SQLite answers synchronously, so without turns a user asking for
 * large pages on many connections at once would hold the event loop for all of
 * them in a row (docs/SECURITY.md).
 *
 * `take(key)` returns nothing when the key may start now, else a promise that
 * resolves in a later turn, the key's waiters in the order they came. A turn
 * ends with the event loop's check phase; keys keep no state once idle.
 */
export function createTurns() {
  // Keys that started a task in this turn.
  const startedThisTurn = new Set<string>();
  const waitingByKey = new Map<string, Array<() => void>>();
  let endScheduled = false;

  function scheduleEnd() {
    if (endScheduled) return;
    endScheduled = true;
    setImmediate(endTurn);
  }

  /** Starts each waiting key's first waiter: the new turn's task of that key. */
  function endTurn() {
    endScheduled = false;
    startedThisTurn.clear();
    for (const [key, waiters] of waitingByKey) {
      const start = waiters.shift()!;
      if (waiters.length === 0) waitingByKey.delete(key);
      startedThisTurn.add(key);
      start();
    }
    if (startedThisTurn.size > 0) scheduleEnd();
  }

  return function take(key: string): Promise<void> | undefined {
    scheduleEnd();
    const waiters = waitingByKey.get(key);
    if (!waiters && !startedThisTurn.has(key)) {
      startedThisTurn.add(key);
      return undefined;
    }
    return new Promise<void>((resolve) => {
      if (waiters) waiters.push(resolve);
      else waitingByKey.set(key, [resolve]);
    });
  };
}

export type TakeTurn = ReturnType<typeof createTurns>;
