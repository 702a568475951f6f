import { useEffect } from "react";
import { useAppSelector } from "../../app/hooks";
import { useNow } from "../../lib/useNow";
import { selectBadgeTotal, titleFor } from "./selectors";

/**
 * Keeps the tab title counting unread messages as each conversation's notify level counts them, so a
 * background tab shows that something arrived; a mute ends within a tick of the clock.
 */
export function useUnreadTitle(): void {
  const now = useNow();
  const title = titleFor(useAppSelector((state) => selectBadgeTotal(state, now)));
  useEffect(() => {
    document.title = title;
  }, [title]);
  useEffect(
    () => () => {
      document.title = titleFor(0);
    },
    [],
  );
}
