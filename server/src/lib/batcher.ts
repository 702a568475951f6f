/**
 * Group commit per key: items that arrive while a key's batch is being
 * written wait and go into that key's next batch, so one transaction carries
 * as many as arrived meanwhile. The first item of an idle key waits one turn
 * of the event loop (setImmediate) for others handled in the same turn. Each
 * caller gets its own item's result, or the batch's error; a key's batches
 * run one at a time, in arrival order, and an idle key keeps no state.
 *
 * A batch that fails with an error `isItemError` may blame on one of its items
 * (a row the database refuses) is written again in halves, and they in halves,
 * so that only the items that fail alone get the error: one bad send among a
 * thousand costs about twenty transactions, not everyone's send.
 */
export function createKeyedBatcher<Item, Result>(
  write: (key: string, items: Item[]) => Promise<Result[]>,
  maxItems: number,
  isItemError: (error: unknown) => boolean = () => false,
) {
  type Waiting = { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void };
  // A key is present while it has a batch scheduled or being written.
  const waitingByKey = new Map<string, Waiting[]>();

  async function writeSettling(key: string, batch: Waiting[]): Promise<void> {
    try {
      const results = await write(
        key,
        batch.map((w) => w.item),
      );
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1 || !isItemError(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await writeSettling(key, batch.slice(0, half));
      await writeSettling(key, batch.slice(half));
    }
  }

  async function writeNext(key: string): Promise<void> {
    const waiting = waitingByKey.get(key)!;
    await writeSettling(key, waiting.splice(0, maxItems));
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
export function createBatcher<Item, Result>(
  write: (items: Item[]) => Promise<Result[]>,
  maxItems: number,
  isItemError?: (error: unknown) => boolean,
) {
  const add = createKeyedBatcher<Item, Result>((_key, items) => write(items), maxItems, isItemError);
  return (item: Item) => add("", item);
}
