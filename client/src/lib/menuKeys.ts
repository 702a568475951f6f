import type { KeyboardEvent } from "react";

/**
 * A menu's keys (the WAI-ARIA menu pattern), for a row of items and a column alike: arrows move among
 * `items` and wrap, Home and End go to the ends, Escape closes and gives the focus back, Tab closes and
 * lets the focus move on. Keys it handles go no further.
 */
export function handleMenuKeys(
  event: KeyboardEvent<HTMLElement>,
  items: HTMLElement[],
  close: (returnFocus: boolean) => void,
): void {
  const index = items.indexOf(document.activeElement as HTMLElement);
  const moveTo = (next: number) => items[(next + items.length) % items.length]?.focus();
  switch (event.key) {
    case "ArrowRight":
    case "ArrowDown":
      moveTo(index + 1);
      break;
    case "ArrowLeft":
    case "ArrowUp":
      moveTo(index - 1);
      break;
    case "Home":
      moveTo(0);
      break;
    case "End":
      moveTo(items.length - 1);
      break;
    case "Escape":
      close(true);
      break;
    case "Tab":
      close(false);
      return;
    default:
      return;
  }
  event.preventDefault();
  event.stopPropagation();
}
