import { describe, expect, it } from "vitest";
import { createTypingThrottle } from "./typing-throttle";

describe("typing throttle", () => {
  it("relays one typing:true per second per user and conversation", () => {
    let t = 0;
    const shouldRelay = createTypingThrottle(() => t);
    expect(shouldRelay("u", "c", true)).toBe(true);
    t = 999;
    expect(shouldRelay("u", "c", true)).toBe(false);
    expect(shouldRelay("u", "other", true)).toBe(true);
    expect(shouldRelay("v", "c", true)).toBe(true);
    t = 1000;
    expect(shouldRelay("u", "c", true)).toBe(true);
  });

  it("always relays typing:false, without reopening the one-second window", () => {
    let t = 0;
    const shouldRelay = createTypingThrottle(() => t);
    expect(shouldRelay("u", "c", true)).toBe(true);
    t = 10;
    expect(shouldRelay("u", "c", false)).toBe(true);
    expect(shouldRelay("u", "c", false)).toBe(true);
    expect(shouldRelay("u", "c", true)).toBe(false);
  });
});
