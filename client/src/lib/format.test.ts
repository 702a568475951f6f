import { describe, expect, it } from "vitest";
import { formatDayLabel, formatRelativeTime, formatTime, formatWait, localDayKey } from "./format";

/** Local wall-clock moments, so the cases hold in any time zone. */
const local = (...parts: [number, number, number, number?, number?, number?]) => new Date(...parts).toISOString();
const NOW = new Date(2025, 0, 6, 12, 0, 0);

describe("formatRelativeTime", () => {
  it.each([
    ["the same instant", local(2025, 0, 6, 12, 0, 0), "just now"],
    ["59 s ago", local(2025, 0, 6, 11, 59, 1), "just now"],
    ["a skewed server clock (in the future)", local(2025, 0, 6, 12, 0, 30), "just now"],
    ["1 min ago", local(2025, 0, 6, 11, 59, 0), "1 min"],
    ["5 min 30 s ago", local(2025, 0, 6, 11, 54, 30), "5 min"],
    ["59 min ago", local(2025, 0, 6, 11, 1, 0), "59 min"],
  ])("%s → %s", (_, iso, expected) => {
    expect(formatRelativeTime(iso, NOW)).toBe(expected);
  });

  it("shows the clock time from one hour on", () => {
    const iso = local(2025, 0, 6, 11, 0, 0);
    expect(formatRelativeTime(iso, NOW)).toBe(formatTime(iso));
  });
});

describe("formatDayLabel", () => {
  it.each([
    ["this morning", local(2025, 0, 6, 0, 0, 1), "Today"],
    ["late last night", local(2025, 0, 5, 23, 59, 59), "Yesterday"],
    ["yesterday morning", local(2025, 0, 5, 0, 0, 0), "Yesterday"],
  ])("%s → %s", (_, iso, expected) => {
    expect(formatDayLabel(iso, NOW)).toBe(expected);
  });

  it("crosses a month boundary for Yesterday", () => {
    expect(formatDayLabel(local(2025, 1, 28, 20), new Date(2025, 2, 1, 8))).toBe("Yesterday");
  });

  it("names older days by date, with the year only when it is another year", () => {
    const thisYear = formatDayLabel(local(2025, 0, 3, 9), NOW);
    expect(thisYear).toMatch(/3/);
    expect(thisYear).not.toMatch(/2025/);
    expect(formatDayLabel(local(2024, 11, 31, 9), NOW)).toMatch(/2024/);
  });
});

describe("localDayKey", () => {
  it("is the same for every moment of a local day and differs across midnight", () => {
    expect(localDayKey(local(2025, 0, 6, 0, 0, 0))).toBe(localDayKey(local(2025, 0, 6, 23, 59, 59)));
    expect(localDayKey(local(2025, 0, 6, 0, 0, 0))).not.toBe(localDayKey(local(2025, 0, 5, 23, 59, 59)));
  });
});

describe("formatWait", () => {
  it.each([
    [0, "1 s"],
    [200, "1 s"],
    [1000, "1 s"],
    [2001, "3 s"],
    [59_000, "59 s"],
    [60_000, "1 min"],
    [61_000, "2 min"],
    [15 * 60_000, "15 min"],
  ])("%d ms → %s", (ms, expected) => {
    expect(formatWait(ms)).toBe(expected);
  });
});
