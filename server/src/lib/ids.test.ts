import { describe, expect, it } from "vitest";
import { newId, newMessageId } from "./ids";

describe("ids", () => {
  it("newId is 128 random bits, url-safe", () => {
    const ids = new Set(Array.from({ length: 1000 }, newId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("newMessageId sorts as its time does, as strings compare", () => {
    const times = [
      0,
      1,
      63,
      64,
      1_000,
      Date.parse("2026-11-30T05:00:00Z"),
      Date.parse("2026-11-30T05:00:00.001Z"),
      2 ** 48 - 1,
    ];
    const ids = times.map((t) => newMessageId(t));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]!.slice(0, 8)).toBe("--------");
    expect(ids.at(-1)!.slice(0, 8)).toBe("zzzzzzzz");
  });

  it("newMessageId of the same millisecond differs in its random part", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newMessageId(1_700_000_000_000)));
    expect(ids.size).toBe(1000);
  });
});
