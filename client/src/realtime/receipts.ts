import { useEffect } from "react";
import { EVENTS, isGroupConversation, peerOf } from "../../../shared/protocol";
import { useAppDispatch, useAppSelector } from "../app/hooks";
import { selectConnectionStatus } from "../features/connection/connectionSlice";
import { selectNewestSeq, selectReadSeq } from "../features/chat/selectors";
import { readReceiptSent } from "../features/conversations/conversationsSlice";
import { refPayload } from "../features/chat/conversationRef";
import { ignoreAck, type RouteSocket } from "./socketTypes";

export type DeliveryReceipts = {
  /** Delivered = a client of mine holds it (someone else's message); the server keeps the watermark monotonic. */
  confirm(conversationId: string, seq: number): void;
  /** A new connection: the server may have missed what the last one said. */
  reset(): void;
};

export function createDeliveryReceipts(socket: RouteSocket, selfId: string): DeliveryReceipts {
  /** Highest deliveredSeq told to the server per conversation on this connection, so receipts only go out when it moves. */
  const sent = new Map<string, number>();
  return {
    confirm(conversationId, seq) {
      const peerId = isGroupConversation(conversationId) ? null : peerOf(conversationId, selfId);
      // A conversation with oneself has nobody to tell.
      if (peerId === selfId || !socket.connected || seq <= (sent.get(conversationId) ?? 0)) return;
      sent.set(conversationId, seq);
      socket.emit(EVENTS.receipt, { ...refPayload({ conversationId, peerId }), deliveredSeq: seq }, ignoreAck);
    },
    reset() {
      sent.clear();
    },
  };
}

/** Read means seen: the page is visible and has the focus (a tab behind another window reads nothing). */
function isBeingRead(): boolean {
  return document.visibilityState === "visible" && document.hasFocus();
}

/** Moves my read watermark up to the newest message while the conversation is on screen and focused. */
export function useReadReceipts(
  socketRef: { readonly current: RouteSocket | null },
  peerId: string | null,
  conversationId: string | null,
) {
  const dispatch = useAppDispatch();
  const connected = useAppSelector(selectConnectionStatus) === "connected";
  const newestSeq = useAppSelector((state) => (conversationId === null ? 0 : selectNewestSeq(state, conversationId)));
  const readSeq = useAppSelector((state) => (conversationId === null ? 0 : selectReadSeq(state, conversationId)));

  useEffect(() => {
    const socket = socketRef.current;
    if (socket === null || conversationId === null || !connected || newestSeq <= readSeq) return;
    function markRead() {
      if (!isBeingRead() || conversationId === null) return;
      socket?.emit(EVENTS.receipt, { ...refPayload({ conversationId, peerId }), readSeq: newestSeq }, ignoreAck);
      dispatch(readReceiptSent({ conversationId, readSeq: newestSeq }));
    }
    markRead();
    document.addEventListener("visibilitychange", markRead);
    window.addEventListener("focus", markRead);
    return () => {
      document.removeEventListener("visibilitychange", markRead);
      window.removeEventListener("focus", markRead);
    };
  }, [socketRef, connected, newestSeq, readSeq, peerId, conversationId, dispatch]);
}
