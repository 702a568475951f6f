import { describe, expect, it } from "vitest";
import { LIMITS } from "../../../shared/protocol";
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

  it("relays typing:false once, when it ends a relayed typing:true, without reopening the one-second window", () => {
    let t = 0;
    const shouldRelay = createTypingThrottle(() => t);
    expect(shouldRelay("u", "c", true)).toBe(true);
    t = 10;
    expect(shouldRelay("u", "c", false)).toBe(true);
    expect(shouldRelay("u", "c", false)).toBe(false);
    expect(shouldRelay("u", "c", true)).toBe(false);
    expect(shouldRelay("u", "c", false)).toBe(false);
  });

  it("relays no typing:false that follows no relayed typing:true", () => {
    const shouldRelay = createTypingThrottle(() => 0);
    expect(shouldRelay("u", "c", false)).toBe(false);
    expect(shouldRelay("u", "other", true)).toBe(true);
    expect(shouldRelay("u", "c", false)).toBe(false);
    expect(shouldRelay("v", "other", false)).toBe(false);
  });

  it("keeps a typing:true that was throttled from being ended twice", () => {
    let t = 0;
    const shouldRelay = createTypingThrottle(() => t);
    expect(shouldRelay("u", "c", true)).toBe(true);
    expect(shouldRelay("u", "c", false)).toBe(true);
    t = 500;
    expect(shouldRelay("u", "c", true)).toBe(false);
    expect(shouldRelay("u", "c", false)).toBe(false);
    t = 1000;
    expect(shouldRelay("u", "c", true)).toBe(true);
    expect(shouldRelay("u", "c", false)).toBe(true);
  });

  it("forgets states that decide nothing any more, and only those", () => {
    let t = 0;
    const shouldRelay = createTypingThrottle(() => t);
    for (let i = 0; i < 1000; i++) shouldRelay(`u${i}`, "c", true);
    shouldRelay("stopped", "c", true);
    shouldRelay("stopped", "c", false);
    // Past the window but within the peer's expiry: the typists' false still ends their true.
    t = LIMITS.typingExpiryMs - 1;
    shouldRelay("w", "c", true);
    expect(shouldRelay("u1", "c", false)).toBe(true);
    // Past the expiry the peer has cleared them: the states are gone and a late false goes unsaid.
    t = LIMITS.typingExpiryMs + 1000;
    shouldRelay("x", "c", true);
    expect(shouldRelay("u2", "c", false)).toBe(false);
    expect(shouldRelay("w", "c", false)).toBe(true);
  });
});
