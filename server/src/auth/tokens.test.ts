import { describe, expect, it } from "vitest";
import { renewedExpiry } from "./tokens";

const HOUR = 60 * 60 * 1000;
const SESSION_TTL_MS = 30 * 24 * HOUR;

describe("renewedExpiry", () => {
  it.each([
    ["just created", 0, null],
    ["used within the hour", HOUR - 1, null],
    ["used after more than an hour", HOUR + 1, SESSION_TTL_MS + HOUR + 1],
    ["used on its last day", SESSION_TTL_MS - 1, 2 * SESSION_TTL_MS - 1],
  ])("a 30-day session %s", (_case, now, expected) => {
    expect(renewedExpiry(now, SESSION_TTL_MS, SESSION_TTL_MS)).toBe(expected);
  });

  it("renews a short session after a tenth of its lifetime", () => {
    expect(renewedExpiry(99, 1000, 1000)).toBeNull();
    expect(renewedExpiry(101, 1000, 1000)).toBe(1101);
  });
});
