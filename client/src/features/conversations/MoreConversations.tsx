import { useCallback, useEffect, useRef } from "react";
import { useAppDispatch, useAppSelector } from "../../app/hooks";
import { fetchQuery, olderConversationsQuery, useQueryState } from "../../app/parleyApi";
import { ErrorAlert } from "../../components/ErrorAlert";
import { selectListNextBefore } from "./selectors";

/**
 * The end of a conversation list while pages remain: the next page loads when this scrolls into view, or
 * from the button (keyboard, or a browser without IntersectionObserver). Nothing once every page is held.
 */
export function MoreConversations() {
  const nextBefore = useAppSelector(selectListNextBefore);
  const dispatch = useAppDispatch();
  const { isLoading: isFetching, isError } = useQueryState(olderConversationsQuery, nextBefore ?? "");
  const end = useRef<HTMLDivElement>(null);
  const loadMore = useCallback(() => {
    // The same page asked again while in flight is one request.
    if (typeof nextBefore === "string")
      void dispatch(fetchQuery(olderConversationsQuery, nextBefore, { refetch: true }));
  }, [dispatch, nextBefore]);

  useEffect(() => {
    const element = end.current;
    if (element === null || typeof IntersectionObserver === "undefined") return;
    // A new observer reports at once: with the end still in view, the next page follows.
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadMore();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [loadMore]);

  if (typeof nextBefore !== "string") return null;
  return (
    <div ref={end} className="flex flex-col items-center gap-2 py-2">
      {isError && !isFetching ? (
        <ErrorAlert message="Could not load more conversations." onRetry={loadMore} />
      ) : (
        <button type="button" className="btn btn-ghost btn-sm" onClick={loadMore} aria-busy={isFetching}>
          {isFetching && <span className="loading loading-dots loading-xs" aria-hidden="true" />}
          Load more conversations
        </button>
      )}
    </div>
  );
}
