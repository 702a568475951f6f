import { describe, expect, it } from "vitest";
import { createTokenBuckets } from "./token-bucket";

function setup(burst: number, perSecond: number) {
  let t = 0;
  const take = createTokenBuckets({ burst, perSecond, now: () => t });
  return { take, advance: (ms: number) => (t += ms) };
}

describe("token buckets", () => {
  it("allows a burst, then refuses with the time until the next token", () => {
    const { take } = setup(3, 2);
    expect([take("a"), take("a"), take("a")].every((r) => r.ok)).toBe(true);
    expect(take("a")).toEqual({ ok: false, retryAfterMs: 500 });
  });

  it("refills at the configured rate, never above the burst", () => {
    const { take, advance } = setup(2, 4);
    take("a");
    take("a");
    advance(250);
    expect(take("a").ok).toBe(true);
    expect(take("a").ok).toBe(false);
    advance(60_000);
    expect([take("a"), take("a"), take("a")].map((r) => r.ok)).toEqual([true, true, false]);
  });

  it("keeps one bucket per key", () => {
    const { take } = setup(1, 1);
    expect(take("a").ok).toBe(true);
    expect(take("a").ok).toBe(false);
    expect(take("b").ok).toBe(true);
  });

  it("does not push the wait further when refused attempts pile up", () => {
    const { take, advance } = setup(1, 1);
    take("a");
    advance(400);
    expect(take("a")).toEqual({ ok: false, retryAfterMs: 600 });
    expect(take("a")).toEqual({ ok: false, retryAfterMs: 600 });
  });
});
