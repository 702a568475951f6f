/**
 * Group commit per key: items that arrive while a key's batch is being
 * written wait and go into that key's next batch, so one transaction carries
 * as many as arrived meanwhile. The first item of an idle key waits one turn
 * of the event loop (setImmediate) for others handled in the same turn. Each
 * caller gets its own item's result, or the batch's error; a key's batches
 * run one at a time, in arrival order, and an idle key keeps no state.
 */
export function createKeyedBatcher<Item, Result>(
  write: (key: string, items: Item[]) => Promise<Result[]>,
  maxItems: number,
) {
  type Waiting = { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void };
  // A key is present while it has a batch scheduled or being written.
  const waitingByKey = new Map<string, Waiting[]>();

  async function writeNext(key: string): Promise<void> {
    const waiting = waitingByKey.get(key)!;
    const batch = waiting.splice(0, maxItems);
    try {
      const results = await write(
        key,
        batch.map((w) => w.item),
      );
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
    if (waiting.length > 0) setImmediate(writeNext, key);
    else waitingByKey.delete(key);
  }

  return function add(key: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const waiting = waitingByKey.get(key);
      if (waiting) {
        waiting.push({ item, resolve, reject });
        return;
      }
      waitingByKey.set(key, [{ item, resolve, reject }]);
      setImmediate(writeNext, key);
    });
  };
}

/** Group commit with one key: every item goes into the same series of batches. */
export function createBatcher<Item, Result>(write: (items: Item[]) => Promise<Result[]>, maxItems: number) {
  const add = createKeyedBatcher<Item, Result>((_key, items) => write(items), maxItems);
  return (item: Item) => add("", item);
}
