import { describe, expect, it } from "vitest";
import { createKeyedQueue, createSerialQueue } from "./serial-queue";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("serial queue", () => {
  it("runs tasks in order even when an earlier one is slower or fails", async () => {
    const run = createSerialQueue();
    const order: number[] = [];
    const a = run(async () => {
      await tick(20);
      order.push(1);
      throw new Error("boom");
    });
    const b = run(async () => {
      order.push(2);
      return "b";
    });
    await expect(a).rejects.toThrow("boom");
    await expect(b).resolves.toBe("b");
    expect(order).toEqual([1, 2]);
  });

  it("serializes per key and lets other keys run alongside", async () => {
    const run = createKeyedQueue();
    const order: string[] = [];
    await Promise.all([
      run("x", async () => {
        await tick(20);
        order.push("x1");
      }),
      run("x", async () => void order.push("x2")),
      run("y", async () => void order.push("y1")),
    ]);
    expect(order).toEqual(["y1", "x1", "x2"]);
  });
});
