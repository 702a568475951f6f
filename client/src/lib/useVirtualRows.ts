import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from "react";
import { flushSync } from "react-dom";

export type VirtualRow = { index: number; key: string; start: number };

type Options = {
  scrollerRef: RefObject<HTMLElement | null>;
  /** One key per row, in order: measured heights stay with their rows when rows are prepended. */
  keys: readonly string[];
  estimatedSize: number;
  /** Rows rendered beyond the viewport on each side. */
  overscan: number;
};

/**
 * A vertical list that renders only the rows in and near its scroller's viewport, placed by the heights
 * measured so far (the estimate for the others). Each rendered row element takes `measureRow` as its ref and
 * carries `data-row-key`. When a row above the viewport turns out taller or shorter than held, the scroll
 * position moves by as much, so what the reader looks at stays in place.
 */
export function useVirtualRows({ scrollerRef, keys, estimatedSize, overscan }: Options) {
  // Measured heights by row key, written as rows are measured; the count tells the layout when to recompute.
  const [sizes] = useState(() => new Map<string, number>());
  const [measuredCount, setMeasuredCount] = useState(0);
  const [viewport, setViewport] = useState({ offset: 0, height: 0 });

  const starts = useMemo(() => {
    const result = [0];
    for (const key of keys) result.push(result.at(-1)! + (sizes.get(key) ?? estimatedSize));
    return result;
    // measuredCount stands for the sizes in the map.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [keys, sizes, estimatedSize, measuredCount]);

  useLayoutEffect(() => {
    const scroller = scrollerRef.current;
    if (!scroller) return;
    const read = () => {
      const next = { offset: scroller.scrollTop, height: scroller.clientHeight };
      setViewport((held) => (held.offset === next.offset && held.height === next.height ? held : next));
    };
    read();
    // At once on scroll, as the browser paints the new position, so it never shows rows not rendered yet.
    const onScroll = () => flushSync(read);
    scroller.addEventListener("scroll", onScroll, { passive: true });
    const resizes = new ResizeObserver(read);
    resizes.observe(scroller);
    return () => {
      scroller.removeEventListener("scroll", onScroll);
      resizes.disconnect();
    };
  }, [scrollerRef]);

  const measure = useCallback(
    (row: HTMLElement) => {
      const key = row.dataset.rowKey;
      const scroller = scrollerRef.current;
      if (key === undefined || !scroller) return;
      const box = row.getBoundingClientRect();
      const held = sizes.get(key);
      if (held === box.height) return;
      sizes.set(key, box.height);
      if (box.top < scroller.getBoundingClientRect().top) scroller.scrollTop += box.height - (held ?? estimatedSize);
      setMeasuredCount((count) => count + 1);
    },
    [scrollerRef, sizes, estimatedSize],
  );

  // Rows are measured by a ResizeObserver: when they mount (its first report comes after this commit's layout
  // effects, so a scroll position those set is already in place) and whenever they change height (an edit, a
  // line wrapping after a resize, a font loading). Before the frame is painted, so rows never overlap on screen.
  const rowResizesRef = useRef<ResizeObserver | null>(null);
  useEffect(() => () => rowResizesRef.current?.disconnect(), []);

  const measureRow = useCallback(
    (row: HTMLElement | null) => {
      if (row === null) return;
      const rowResizes = (rowResizesRef.current ??= new ResizeObserver((entries) =>
        flushSync(() => {
          for (const entry of entries) if (entry.target.isConnected) measure(entry.target as HTMLElement);
        }),
      ));
      rowResizes.observe(row);
      return () => rowResizes.unobserve(row);
    },
    [measure],
  );

  const rows = useMemo(() => {
    const { first, last } = rowsInView(starts, viewport.offset, viewport.height, overscan);
    const result: VirtualRow[] = [];
    for (let index = first; index <= last; index++) result.push({ index, key: keys[index]!, start: starts[index]! });
    return result;
  }, [keys, starts, viewport, overscan]);

  /** Where the row at this index starts, as measured or estimated now. */
  const startOf = useCallback(
    (index: number): number | undefined => (index < keys.length ? starts[index] : undefined),
    [keys, starts],
  );

  /** Brings a row into view, moving as little as it takes. */
  function scrollToIndex(index: number) {
    const scroller = scrollerRef.current;
    const start = starts[index];
    const end = starts[index + 1];
    if (!scroller || start === undefined || end === undefined) return;
    if (start < scroller.scrollTop) scroller.scrollTop = start;
    else if (end > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = end - scroller.clientHeight;
  }

  return { rows, totalSize: starts.at(-1)!, measureRow, startOf, scrollToIndex };
}

/**
 * The rows to render, first to last (none: last < first): those that overlap the viewport, from `offset` down
 * `height` px, and `overscan` more on each side. Row i runs from starts[i] to starts[i + 1].
 */
export function rowsInView(
  starts: readonly number[],
  offset: number,
  height: number,
  overscan: number,
): { first: number; last: number } {
  const count = starts.length - 1;
  if (count === 0) return { first: 0, last: -1 };
  return {
    first: Math.max(0, firstEndingAtOrAfter(starts, offset) - overscan),
    last: Math.min(count - 1, lastStartingAtOrBefore(starts, offset + height) + overscan),
  };
}

/** The first row (rows run from starts[i] to starts[i + 1]) that ends at or after `offset`; else the last. */
function firstEndingAtOrAfter(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 2;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (starts[middle + 1]! >= offset) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** The last row that starts at or before `offset`; else the first. */
function lastStartingAtOrBefore(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 2;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}
