import { useCallback, useState } from "react";
import { LIMITS, type HistoryResponse } from "../../../../shared/protocol";
import { useHttp } from "../../app/useHttp";
import { useAppDispatch, useAppStore } from "../../app/hooks";
import { olderMessagesLoaded } from "./chatSlice";
import { selectOldestSeq } from "./selectors";

/** Pages history upwards over HTTP, before the oldest message held. */
export function useOlderMessages(peerId: string, conversationId: string) {
  const dispatch = useAppDispatch();
  const store = useAppStore();
  const http = useHttp();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const loadOlder = useCallback(async () => {
    const oldestSeq = selectOldestSeq(store.getState(), conversationId);
    if (oldestSeq === undefined) return;
    setLoading(true);
    setError(null);
    try {
      const page = await http.get<HistoryResponse>(
        `/api/conversations/${encodeURIComponent(peerId)}/messages?beforeSeq=${oldestSeq}&limit=${LIMITS.historyDefaultLimit}`,
      );
      dispatch(olderMessagesLoaded({ conversationId, messages: page.messages, hasMore: page.hasMore }));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not load older messages.");
    } finally {
      setLoading(false);
    }
  }, [peerId, conversationId, store, http, dispatch]);

  return { loadOlder, loading, error };
}
