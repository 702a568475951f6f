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
  const original = makeMessage({ seq: 1 });
  const edited = makeMessage({ seq: 1, body: "edited", editedAt: "2025-01-01T13:00:00.000Z" });
  const editedAgain = makeMessage({ seq: 1, body: "edited again", editedAt: "2025-01-01T14:00:00.000Z" });
  const deleted = makeMessage({ seq: 1, body: "", deletedAt: "2025-01-01T15:00:00.000Z" });

  it.each([
    { name: "nothing held takes the incoming copy", held: undefined, incoming: original, expected: original },
    {
      name: "an identical duplicate keeps the held copy",
      held: original,
      incoming: { ...original },
      expected: original,
    },
    { name: "an edit replaces the original", held: original, incoming: edited, expected: edited },
    { name: "a stale original does not undo an edit", held: edited, incoming: original, expected: edited },
    { name: "the later edit wins", held: edited, incoming: editedAgain, expected: editedAgain },
    { name: "an older edit does not win", held: editedAgain, incoming: edited, expected: editedAgain },
    { name: "a tombstone replaces an edit", held: edited, incoming: deleted, expected: deleted },
    { name: "a tombstone is never revived", held: deleted, incoming: editedAgain, expected: deleted },
  ])("$name", ({ held, incoming, expected }) => {
    expect(laterVersion(held, incoming)).toBe(expected);
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
