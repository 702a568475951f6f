import { useEffect } from "react";
import { useAppSelector } from "../../app/hooks";
import { selectUnreadTotal, titleFor } from "./selectors";

/** Keeps the tab title counting unread messages, so a background tab shows that something arrived. */
export function useUnreadTitle(): void {
  const title = titleFor(useAppSelector(selectUnreadTotal));
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
