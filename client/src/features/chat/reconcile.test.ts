import { describe, expect, it } from "vitest";
import { makeMessage } from "../../test/factories";
import { gapStart, highestContiguousSeq, laterVersion } from "./reconcile";

describe("highestContiguousSeq", () => {
  it.each([
    { seqs: [], expected: undefined },
    { seqs: [1], expected: 1 },
    { seqs: [1, 2, 3], expected: 3 },
    { seqs: [1, 2, 4, 5], expected: 2 },
    { seqs: [51, 52, 53], expected: 53 },
    { seqs: [7, 9], expected: 7 },
  ])("$seqs → $expected", ({ seqs, expected }) => {
    expect(highestContiguousSeq(seqs)).toBe(expected);
  });
});

describe("laterVersion", () => {
  const original = makeMessage({ seq: 1, rev: 1 });
  const edited = makeMessage({ seq: 1, rev: 4, body: "edited", editedAt: "2025-01-01T13:00:00.000Z" });
  const editedAgain = makeMessage({ seq: 1, rev: 6, body: "edited again", editedAt: "2025-01-01T14:00:00.000Z" });
  const deleted = makeMessage({ seq: 1, rev: 9, body: "", deletedAt: "2025-01-01T15:00:00.000Z" });

  it("takes the incoming copy when nothing is held", () => {
    expect(laterVersion(undefined, original)).toBe(original);
  });

  it("keeps the held copy of an identical duplicate", () => {
    expect(laterVersion(original, { ...original })).toBe(original);
  });

  // Each pair in both arrival orders: the higher rev is kept whichever came first.
  it.each([
    { name: "original and edit", older: original, newer: edited },
    { name: "two edits", older: edited, newer: editedAgain },
    { name: "edit and delete", older: editedAgain, newer: deleted },
    { name: "original and delete", older: original, newer: deleted },
  ])("keeps the higher rev of $name in either order", ({ older, newer }) => {
    expect(laterVersion(older, newer)).toBe(newer);
    expect(laterVersion(newer, older)).toBe(newer);
  });
});

describe("gapStart", () => {
  it.each([
    { seqs: [], expected: undefined },
    { seqs: [1, 2, 3], expected: undefined },
    { seqs: [1, 2, 5], expected: 2 },
    { seqs: [1, 3, 4, 7], expected: 1 },
    { seqs: [51, 52, 60], expected: 52 },
  ])("$seqs → $expected", ({ seqs, expected }) => {
    expect(gapStart(seqs)).toBe(expected);
  });
});
