import { describe, expect, it } from "vitest";
import { createBatcher } from "./batcher";

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
});
