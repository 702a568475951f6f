import { useCallback } from "react";
import { errorMessage } from "../../api/http";
import { useAppDispatch, useAppStore } from "../../app/hooks";
import { parleyApi } from "../../app/parleyApi";
import { olderMessagesLoaded } from "./chatSlice";
import { selectOldestSeq } from "./selectors";

/** Pages history upwards over HTTP, before the oldest message held; the chat slice keeps what arrives. */
export function useOlderMessages(peerId: string, conversationId: string) {
  const dispatch = useAppDispatch();
  const store = useAppStore();
  const [fetchPage, page] = parleyApi.endpoints.messagesBefore.useLazyQuery();

  const loadOlder = useCallback(async () => {
    const beforeSeq = selectOldestSeq(store.getState(), conversationId);
    if (beforeSeq === undefined) return;
    const result = await fetchPage({ peerId, beforeSeq });
    // A failure is shown from the query's state; there is nothing to keep.
    if (result.data) {
      dispatch(olderMessagesLoaded({ conversationId, messages: result.data.messages, hasMore: result.data.hasMore }));
    }
  }, [peerId, conversationId, store, fetchPage, dispatch]);

  return { loadOlder, loading: page.isFetching, error: page.isError ? errorMessage(page.error) : null };
}
