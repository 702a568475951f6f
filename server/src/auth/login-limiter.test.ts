import { describe, expect, it } from "vitest";
import { createLoginLimiter } from "./login-limiter";

function setup(maxFailures: number) {
  let t = 0;
  const limiter = createLoginLimiter({ maxFailures, windowMs: 1000, now: () => t });
  return { limiter, advance: (ms: number) => (t += ms) };
}

describe("login limiter", () => {
  it("blocks after the maximum number of failures until the window passes", () => {
    const { limiter, advance } = setup(3);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterMs("ann")).toBe(0);
      limiter.recordFailure("ann");
      advance(100);
    }
    expect(limiter.retryAfterMs("ann")).toBe(700);
    advance(700);
    expect(limiter.retryAfterMs("ann")).toBe(0);
  });

  it("counts per username and resets on success", () => {
    const { limiter } = setup(2);
    limiter.recordFailure("ann");
    limiter.recordFailure("ann");
    expect(limiter.retryAfterMs("ann")).toBeGreaterThan(0);
    expect(limiter.retryAfterMs("bob")).toBe(0);
    limiter.reset("ann");
    expect(limiter.retryAfterMs("ann")).toBe(0);
  });

  it("forgets failures older than the window", () => {
    const { limiter, advance } = setup(2);
    limiter.recordFailure("ann");
    advance(1500);
    limiter.recordFailure("ann");
    expect(limiter.retryAfterMs("ann")).toBe(0);
  });
});
