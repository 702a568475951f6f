import { afterEach, beforeEach, vi } from "vitest";

/**
 * jsdom does no layout, so every element is 0 px tall and the virtualized log
 * would render no row at all. Giving elements a viewport height lets it render
 * the rows a test holds (estimated sizes, no real measuring).
 */
export function stubViewportForEachTest(heightPx = 800): void {
  beforeEach(() => {
    vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(heightPx);
    vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(600);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
}
