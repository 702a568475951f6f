import { useEffect, useRef, type FocusEvent, type KeyboardEvent } from "react";

const ITEMS = '[role^="menuitem"]';

/**
 * A menu's keys (the WAI-ARIA menu pattern), for a row of items and a column alike: arrows move among
 * `items` and wrap, Home and End go to the ends, Escape closes and gives the focus back, Tab closes and
 * lets the focus move on. Keys it handles go no further.
 */
function handleMenuKeys(
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

/**
 * What every menu wires the same way, to spread on its list element: the first item focused when the menu
 * opens, the keys above over its items, and closing (focus left where it went) when the focus leaves it.
 */
export function useMenu(open: boolean, close: (returnFocus: boolean) => void) {
  const ref = useRef<HTMLUListElement>(null);
  useEffect(() => {
    if (open) ref.current?.querySelector<HTMLElement>(ITEMS)?.focus();
  }, [open]);
  return {
    ref,
    onKeyDown: (event: KeyboardEvent<HTMLElement>) =>
      handleMenuKeys(event, [...(ref.current?.querySelectorAll<HTMLElement>(ITEMS) ?? [])], close),
    onBlur: (event: FocusEvent<HTMLElement>) => {
      if (!event.currentTarget.contains(event.relatedTarget)) close(false);
    },
  };
}
