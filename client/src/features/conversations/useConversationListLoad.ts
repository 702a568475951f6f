import { useCallback } from "react";
import { useAppDispatch } from "../../app/hooks";
import { conversationsQuery, fetchQuery, useQueryState } from "../../app/parleyApi";

export type ConversationListLoad = "loading" | "failed" | "loaded";

/** Where the list's fetch stands. The live route's socket starts it on each connect; views only read it. */
export function useConversationListLoad(): { status: ConversationListLoad; retry: () => void } {
  const dispatch = useAppDispatch();
  const { isSuccess, isError } = useQueryState(conversationsQuery, undefined);
  const retry = useCallback(() => {
    void dispatch(fetchQuery(conversationsQuery, undefined, { refetch: true }));
  }, [dispatch]);
  return { status: isSuccess ? "loaded" : isError ? "failed" : "loading", retry };
}
