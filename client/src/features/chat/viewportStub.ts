import { afterEach, beforeEach, vi } from "vitest";

/**
 * jsdom does no layout, so every element is 0 px tall and the virtualized log
 * would render only its overscan. Giving elements a viewport height lets it
 * render the rows a test holds (estimated sizes, no real measuring).
 */
export function stubViewportForEachTest(heightPx = 800): void {
  beforeEach(() => {
    vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(heightPx);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
}
