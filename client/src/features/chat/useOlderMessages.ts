import { useCallback, useState } from "react";
import { errorMessage, type ApiFailure } from "../../api/http";
import { useAppDispatch, useAppStore } from "../../app/hooks";
import { requestMessagesBefore } from "../../app/parleyApi";
import { olderMessagesLoaded } from "./chatSlice";
import { selectOldestSeq } from "./selectors";

/** Pages history upwards over HTTP, before the oldest message held; the chat slice keeps what arrives. */
/** `ref`: the peer's id, or a group's conversation id. */
export function useOlderMessages(ref: string, conversationId: string) {
  const dispatch = useAppDispatch();
  const store = useAppStore();
  const [page, setPage] = useState<{ loading: boolean; error: ApiFailure | null }>({ loading: false, error: null });

  const loadOlder = useCallback(async () => {
    const beforeSeq = selectOldestSeq(store.getState(), conversationId);
    if (beforeSeq === undefined) return;
    setPage({ loading: true, error: null });
    const result = await dispatch(requestMessagesBefore(ref, beforeSeq));
    // A failure is only shown; there is nothing to keep.
    if ("error" in result) {
      setPage({ loading: false, error: result.error });
      return;
    }
    setPage({ loading: false, error: null });
    dispatch(olderMessagesLoaded({ conversationId, messages: result.data.messages, hasMore: result.data.hasMore }));
  }, [ref, conversationId, store, dispatch]);

  return { loadOlder, loading: page.loading, error: page.error ? errorMessage(page.error) : null };
}
