import { describe, expect, it } from "vitest";
import { rowsInView } from "./useVirtualRows";

/** Row starts for rows of these heights, as the hook computes them. */
const startsOf = (...heights: number[]) =>
  heights.reduce((starts, height) => [...starts, starts.at(-1)! + height], [0]);
const tenRows = startsOf(...Array<number>(10).fill(100));

describe("the rows in view", () => {
  it.each([
    { name: "no rows", starts: [0], offset: 0, height: 500, overscan: 2, rows: [0, -1] },
    { name: "the top, no overscan", starts: tenRows, offset: 0, height: 250, overscan: 0, rows: [0, 2] },
    { name: "the top, overscan clamped", starts: tenRows, offset: 0, height: 250, overscan: 3, rows: [0, 5] },
    { name: "the middle", starts: tenRows, offset: 350, height: 200, overscan: 1, rows: [2, 6] },
    { name: "a row ending at the top edge", starts: tenRows, offset: 300, height: 100, overscan: 0, rows: [2, 4] },
    { name: "the bottom, overscan clamped", starts: tenRows, offset: 800, height: 200, overscan: 3, rows: [4, 9] },
    {
      name: "rows of their own heights",
      starts: startsOf(10, 500, 10, 10, 10),
      offset: 400,
      height: 125,
      overscan: 0,
      rows: [1, 3],
    },
    // jsdom lays nothing out: every row measures 0 px, and all of them are in view.
    { name: "rows of no height", starts: startsOf(0, 0, 0, 0), offset: 0, height: 800, overscan: 0, rows: [0, 3] },
    { name: "an empty viewport, before it is read", starts: tenRows, offset: 0, height: 0, overscan: 2, rows: [0, 2] },
  ])("$name", ({ starts, offset, height, overscan, rows }) => {
    const { first, last } = rowsInView(starts, offset, height, overscan);
    expect([first, last]).toEqual(rows);
  });
});
