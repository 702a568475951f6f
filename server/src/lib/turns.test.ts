import { afterEach, describe, expect, it } from "vitest";
import { countTurns } from "./turn-counter.testing";
import { createTurns } from "./turns";

let turns: ReturnType<typeof countTurns> | undefined;
afterEach(() => turns?.stop());

describe("createTurns", () => {
  it("starts one task of a key in a turn, in order, and other keys' tasks in between", async () => {
    turns = countTurns();
    const take = createTurns();
    const started: Array<{ task: string; turn: number }> = [];
    const run = async (key: string, task: string) => {
      const wait = take(key);
      if (wait) await wait;
      started.push({ task, turn: turns!.turn() });
    };

    await Promise.all([run("a", "a1"), run("a", "a2"), run("a", "a3"), run("b", "b1")]);

    expect(started.map((s) => s.task)).toEqual(["a1", "b1", "a2", "a3"]);
    const turnOf = (task: string) => started.find((s) => s.task === task)!.turn;
    expect(turnOf("b1")).toBe(turnOf("a1"));
    expect(turnOf("a2")).toBeGreaterThan(turnOf("a1"));
    expect(turnOf("a3")).toBeGreaterThan(turnOf("a2"));
  });

  it("lets a key start at once in a later turn, without waiting", async () => {
    const take = createTurns();
    expect(take("a")).toBeUndefined();
    expect(take("b")).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(take("a")).toBeUndefined();
  });

  it("makes a key's task wait behind its earlier waiters, even when the turn is new", async () => {
    const take = createTurns();
    const started: string[] = [];
    expect(take("a")).toBeUndefined();
    const second = take("a")!.then(() => started.push("second"));
    const third = take("a")!.then(() => started.push("third"));
    await second;
    // A new turn, but "third" still waits: a fourth must queue behind it.
    const fourth = take("a");
    expect(fourth).toBeInstanceOf(Promise);
    await Promise.all([third, fourth!.then(() => started.push("fourth"))]);
    expect(started).toEqual(["second", "third", "fourth"]);
  });
});
