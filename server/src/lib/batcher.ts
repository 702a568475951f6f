/**
 * Group commit: items that arrive while a batch is being written wait and go
 * into the next one, so one transaction carries as many as arrived meanwhile.
 * The first item of an idle batcher waits one turn of the event loop
 * (setImmediate) for others handled in the same turn. Each caller gets its
 * own item's result, or the batch's error; batches run one at a time, in
 * arrival order.
 */
export function createBatcher<Item, Result>(write: (items: Item[]) => Promise<Result[]>, maxItems: number) {
  let waiting: Array<{ item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }> = [];
  let busy = false;

  async function writeNext(): Promise<void> {
    const batch = waiting.slice(0, maxItems);
    waiting = waiting.slice(batch.length);
    try {
      const results = await write(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
    if (waiting.length > 0) setImmediate(writeNext);
    else busy = false;
  }

  return function add(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (busy) return;
      busy = true;
      setImmediate(writeNext);
    });
  };
}
