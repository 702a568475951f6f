import { describe, expect, it } from "vitest";
import { LIMITS } from "../../../shared/protocol";
import { createTypingThrottle } from "./typing-throttle";

describe("typing throttle", async () => {
  it("relays one typing:true per second per user and conversation", async () => {
    let t = 0;
    const shouldRelay = createTypingThrottle(() => t);
    expect(await shouldRelay("u", "c", true)).toBe(true);
    t = 999;
    expect(await shouldRelay("u", "c", true)).toBe(false);
    expect(await shouldRelay("u", "other", true)).toBe(true);
    expect(await shouldRelay("v", "c", true)).toBe(true);
    t = 1000;
    expect(await shouldRelay("u", "c", true)).toBe(true);
  });

  it("relays typing:false once, when it ends a relayed typing:true, without reopening the one-second window", async () => {
    let t = 0;
    const shouldRelay = createTypingThrottle(() => t);
    expect(await shouldRelay("u", "c", true)).toBe(true);
    t = 10;
    expect(await shouldRelay("u", "c", false)).toBe(true);
    expect(await shouldRelay("u", "c", false)).toBe(false);
    expect(await shouldRelay("u", "c", true)).toBe(false);
    expect(await shouldRelay("u", "c", false)).toBe(false);
  });

  it("relays no typing:false that follows no relayed typing:true", async () => {
    const shouldRelay = createTypingThrottle(() => 0);
    expect(await shouldRelay("u", "c", false)).toBe(false);
    expect(await shouldRelay("u", "other", true)).toBe(true);
    expect(await shouldRelay("u", "c", false)).toBe(false);
    expect(await shouldRelay("v", "other", false)).toBe(false);
  });

  it("keeps a typing:true that was throttled from being ended twice", async () => {
    let t = 0;
    const shouldRelay = createTypingThrottle(() => t);
    expect(await shouldRelay("u", "c", true)).toBe(true);
    expect(await shouldRelay("u", "c", false)).toBe(true);
    t = 500;
    expect(await shouldRelay("u", "c", true)).toBe(false);
    expect(await shouldRelay("u", "c", false)).toBe(false);
    t = 1000;
    expect(await shouldRelay("u", "c", true)).toBe(true);
    expect(await shouldRelay("u", "c", false)).toBe(true);
  });

  it("forgets states that decide nothing any more, and only those", async () => {
    let t = 0;
    const shouldRelay = createTypingThrottle(() => t);
    for (let i = 0; i < 1000; i++) await shouldRelay(`u${i}`, "c", true);
    await shouldRelay("stopped", "c", true);
    await shouldRelay("stopped", "c", false);
    // Past the window but within the peer's expiry: the typists' false still ends their true.
    t = LIMITS.typingExpiryMs - 1;
    await shouldRelay("w", "c", true);
    expect(await shouldRelay("u1", "c", false)).toBe(true);
    // Past the expiry the peer has cleared them: the states are gone and a late false goes unsaid.
    t = LIMITS.typingExpiryMs + 1000;
    await shouldRelay("x", "c", true);
    expect(await shouldRelay("u2", "c", false)).toBe(false);
    expect(await shouldRelay("w", "c", false)).toBe(true);
  });
});
