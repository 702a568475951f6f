import { useSyncExternalStore } from "react";

/** How often relative times ("5 min ago") are recomputed. */
const NOW_TICK_MS = 30_000;

// One shared timer for every relative time on the page, running only while something shows one.
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const notify of listeners) notify();
    }, NOW_TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) clearInterval(timer);
  };
}

/** The current time in ms, refreshed every NOW_TICK_MS. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now);
}
