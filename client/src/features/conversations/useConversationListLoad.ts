import { useCallback } from "react";
import { useAppDispatch } from "../../app/hooks";
import { parleyApi } from "../../app/parleyApi";

export type ConversationListLoad = "loading" | "failed" | "loaded";

/** Where the list's fetch stands. The live route's socket starts it on each connect; views only read it. */
export function useConversationListLoad(): { status: ConversationListLoad; retry: () => void } {
  const dispatch = useAppDispatch();
  const { isSuccess, isError } = parleyApi.endpoints.conversations.useQueryState();
  const retry = useCallback(() => {
    void dispatch(parleyApi.endpoints.conversations.initiate(undefined, { subscribe: false, forceRefetch: true }));
  }, [dispatch]);
  return { status: isSuccess ? "loaded" : isError ? "failed" : "loading", retry };
}
