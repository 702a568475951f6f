import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTypingThrottle } from "./typingThrottle";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup() {
  const emitted: boolean[] = [];
  const throttle = createTypingThrottle((typing) => emitted.push(typing), 2000);
  return { emitted, throttle };
}

describe("createTypingThrottle", () => {
  it("sends typing: true on the first keystroke, then at most once per 2 s while typing goes on", async () => {
    const { emitted, throttle } = setup();
    throttle.typed();
    for (let i = 0; i < 19; i++) {
      await vi.advanceTimersByTimeAsync(100);
      throttle.typed();
    }
    expect(emitted).toEqual([true]);
    await vi.advanceTimersByTimeAsync(100);
    throttle.typed();
    expect(emitted).toEqual([true, true]);
  });

  it("sends typing: false once when stopped, and nothing if it never said typing", async () => {
    const { emitted, throttle } = setup();
    throttle.stopped();
    expect(emitted).toEqual([]);
    throttle.typed();
    throttle.stopped();
    throttle.stopped();
    expect(emitted).toEqual([true, false]);
  });

  it("says typing again at once after a stop, without waiting for the window", async () => {
    const { emitted, throttle } = setup();
    throttle.typed();
    await vi.advanceTimersByTimeAsync(300);
    throttle.stopped();
    throttle.typed();
    expect(emitted).toEqual([true, false, true]);
  });
});
