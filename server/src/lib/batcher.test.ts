import { describe, expect, it } from "vitest";
import { createBatcher, createKeyedBatcher } from "./batcher";

describe("batcher", () => {
  it("writes what arrives in one turn together, and what arrives during a write in the next batch", async () => {
    const batches: number[][] = [];
    let releaseFirst!: () => void;
    const firstWritten = new Promise<void>((resolve) => (releaseFirst = resolve));
    const add = createBatcher(async (items: number[]) => {
      batches.push(items);
      if (batches.length === 1) await firstWritten;
      return items.map((n) => n * 10);
    }, 100);

    const first = [add(1), add(2)];
    await new Promise((resolve) => setImmediate(resolve));
    const second = [add(3), add(4), add(5)];
    releaseFirst();

    expect(await Promise.all([...first, ...second])).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it("caps a batch at maxItems", async () => {
    const batches: number[][] = [];
    const add = createBatcher(async (items: number[]) => {
      batches.push(items);
      return items;
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map(add));
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("fails every item of a failed batch and goes on with the next", async () => {
    let calls = 0;
    const add = createBatcher(async (items: string[]) => {
      if (++calls === 1) throw new Error("disk full");
      return items;
    }, 10);
    const failed = [add("a"), add("b")];
    await expect(failed[0]).rejects.toThrow("disk full");
    await expect(failed[1]).rejects.toThrow("disk full");
    await expect(add("c")).resolves.toBe("c");
  });

  it("writes a batch failed by an item's error again in halves, until only the failing items get it", async () => {
    class Refused extends Error {}
    const batches: string[] = [];
    const add = createBatcher(
      async (items: string[]) => {
        batches.push(items.join(""));
        if (items.includes("x")) throw new Refused(`refused in ${items.join("")}`);
        return items.map((item) => item.toUpperCase());
      },
      10,
      (error) => error instanceof Refused,
    );
    const results = await Promise.allSettled(["a", "b", "x", "c", "d"].map(add));
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([
      "A",
      "B",
      "refused in x",
      "C",
      "D",
    ]);
    // In arrival order: the batch, its first half (failing), that half's halves, then the second half.
    expect(batches).toEqual(["abxcd", "abx", "ab", "x", "cd"]);
  });

  it("fails the whole batch at once for an error no item is to blame for", async () => {
    const batches: string[][] = [];
    const add = createBatcher(
      async (items: string[]) => {
        batches.push(items);
        throw new Error("connection lost");
      },
      10,
      (error) => error instanceof TypeError,
    );
    const results = await Promise.allSettled(["a", "b", "c"].map(add));
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(batches).toEqual([["a", "b", "c"]]);
  });

  it("keeps each key's items in batches of their own, and a key's batches one at a time", async () => {
    const batches: string[] = [];
    let releaseA!: () => void;
    const aWritten = new Promise<void>((resolve) => (releaseA = resolve));
    const add = createKeyedBatcher(async (key: string, items: number[]) => {
      batches.push(`${key}:${items.join(",")}`);
      if (key === "a" && items[0] === 1) await aWritten;
      return items.map((n) => `${key}${n}`);
    }, 100);

    const first = [add("a", 1), add("b", 2), add("a", 3)];
    await new Promise((resolve) => setImmediate(resolve));
    // a's first batch is still being written: b's went on, a's next item waits for it.
    const later = [add("a", 4), add("b", 5)];
    await expect(first[1]).resolves.toBe("b2");
    releaseA();

    expect(await Promise.all([...first, ...later])).toEqual(["a1", "b2", "a3", "a4", "b5"]);
    expect(batches).toEqual(["a:1,3", "b:2", "b:5", "a:4"]);
  });
});
