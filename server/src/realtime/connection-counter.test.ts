import { describe, expect, it } from "vitest";
import { createMemoryConnectionCounter } from "./connection-counter";

describe("in-memory connection counter", () => {
  it("takes slots up to the maximum per user, and gives them back", async () => {
    const counter = createMemoryConnectionCounter(2);
    expect(await counter.acquire("u")).toBe(true);
    expect(await counter.acquire("u")).toBe(true);
    expect(await counter.acquire("u")).toBe(false);
    expect(await counter.acquire("v")).toBe(true);
    expect(counter.count("u")).toBe(2);
    counter.release("u");
    expect(await counter.acquire("u")).toBe(true);
    expect(await counter.acquire("u")).toBe(false);
  });

  it("forgets a user at zero and never goes below it", async () => {
    const counter = createMemoryConnectionCounter(1);
    expect(await counter.acquire("u")).toBe(true);
    counter.release("u");
    counter.release("u");
    expect(counter.count("u")).toBe(0);
    expect(await counter.acquire("u")).toBe(true);
    expect(await counter.acquire("u")).toBe(false);
  });
});
