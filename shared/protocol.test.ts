import { describe, expect, it } from "vitest";
import { checkEmoji } from "./protocol";

const VS16 = "\uFE0F";

describe("checkEmoji", () => {
  it.each([
    ["👍", "👍"],
    ["❤️", "❤️"],
    // Text-presentation characters take the variation selector that makes them emoji.
    ["❤", `❤${VS16}`],
    ["☺", `☺${VS16}`],
    ["©", `©${VS16}`],
    // Keycaps, flags, ZWJ sequences and skin tones are one emoji each, kept as sent.
    ["1️⃣", "1️⃣"],
    ["🇫🇷", "🇫🇷"],
    ["👨‍👩‍👧", "👨‍👩‍👧"],
    ["🏳️‍🌈", "🏳️‍🌈"],
    ["👍🏽", "👍🏽"],
  ])("stores %s as %s", (sent, stored) => {
    expect(checkEmoji(sent)).toEqual({ ok: true, value: stored });
  });

  it("makes ❤ and ❤️ one reaction, and each skin tone another", () => {
    const stored = (text: string) => {
      const checked = checkEmoji(text);
      return checked.ok ? checked.value : undefined;
    };
    expect(stored("❤")).toBe(stored("❤️"));
    const tones = ["👍", "👍🏻", "👍🏼", "👍🏽", "👍🏾", "👍🏿"].map(stored);
    expect(new Set(tones).size).toBe(6);
  });

  it.each([
    ["empty", ""],
    ["text", "ok"],
    ["a digit without its keycap", "1"],
    ["a letter", "a"],
    ["two emoji", "👍👍"],
    ["an emoji and text", "👍 "],
    ["a variation selector alone", VS16],
    ["an emoji with two variation selectors", `❤${VS16}${VS16}`],
    ["a ZWJ sequence missing its selector", "🏳‍🌈"],
    ["a lone surrogate", "\ud83d"],
  ])("refuses %s", (_, text) => {
    expect(checkEmoji(text).ok).toBe(false);
  });
});
