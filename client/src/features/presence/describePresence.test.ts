import { describe, expect, it } from "vitest";
import { describePresence } from "./describePresence";

const now = Date.parse("2025-03-10T12:00:00Z");
const ago = (ms: number) => new Date(now - ms).toISOString();
const MIN = 60_000;

describe("describePresence", () => {
  it.each([
    { online: true, lastSeenAt: ago(10 * MIN), expected: "Online" },
    { online: true, lastSeenAt: null, expected: "Online" },
    { online: false, lastSeenAt: null, expected: "Offline" },
    { online: false, lastSeenAt: "not a date", expected: "Offline" },
    { online: false, lastSeenAt: ago(0), expected: "Last seen just now" },
    { online: false, lastSeenAt: ago(-5 * MIN), expected: "Last seen just now" },
    { online: false, lastSeenAt: ago(59_999), expected: "Last seen just now" },
    { online: false, lastSeenAt: ago(MIN), expected: "Last seen 1 min ago" },
    { online: false, lastSeenAt: ago(5 * MIN + 30_000), expected: "Last seen 5 min ago" },
    { online: false, lastSeenAt: ago(59 * MIN), expected: "Last seen 59 min ago" },
    { online: false, lastSeenAt: ago(60 * MIN), expected: "Last seen 1 h ago" },
    { online: false, lastSeenAt: ago(23 * 60 * MIN), expected: "Last seen 23 h ago" },
    { online: false, lastSeenAt: ago(30 * 60 * MIN), expected: "Last seen yesterday" },
    { online: false, lastSeenAt: ago(3 * 24 * 60 * MIN), expected: "Last seen 3 days ago" },
  ])("online $online, last seen $lastSeenAt → $expected", ({ online, lastSeenAt, expected }) => {
    expect(describePresence({ online, lastSeenAt }, now)).toBe(expected);
  });

  it("gives the date after a week", () => {
    expect(describePresence({ online: false, lastSeenAt: ago(30 * 24 * 60 * MIN) }, now)).toMatch(/^Last seen \S/);
    expect(describePresence({ online: false, lastSeenAt: ago(30 * 24 * 60 * MIN) }, now)).not.toMatch(/ago$/);
  });
});
