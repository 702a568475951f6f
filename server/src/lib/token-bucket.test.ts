import { describe, expect, it } from "vitest";
import { createTokenBucket, createTokenBuckets } from "./token-bucket";

function setup(burst: number, perSecond: number) {
  let t = 0;
  const { take, giveBack } = createTokenBuckets({ burst, perSecond, now: () => t });
  return { take, giveBack, advance: (ms: number) => (t += ms) };
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

  it("takes back a returned token, never above the burst", () => {
    const { take, giveBack } = setup(2, 1);
    take("a");
    take("a");
    giveBack("a");
    expect(take("a").ok).toBe(true);
    expect(take("a").ok).toBe(false);
    giveBack("b");
    giveBack("a");
    giveBack("a");
    expect([take("a"), take("a"), take("a")].map((r) => r.ok)).toEqual([true, true, false]);
    expect([take("b"), take("b"), take("b")].map((r) => r.ok)).toEqual([true, true, false]);
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

describe("one token bucket", () => {
  it("allows a burst, refills at the rate up to the burst, and says when the next token comes", () => {
    let t = 0;
    const take = createTokenBucket({ burst: 2, perSecond: 4, now: () => t });
    expect([take(), take()].every((r) => r.ok)).toBe(true);
    expect(take()).toEqual({ ok: false, retryAfterMs: 250 });
    t += 250;
    expect(take().ok).toBe(true);
    t += 60_000;
    expect([take(), take(), take()].map((r) => r.ok)).toEqual([true, true, false]);
  });
});
