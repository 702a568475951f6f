import { useCallback, useEffect, useRef } from "react";
import { io, type Socket } from "socket.io-client";
import {
  conversationIdFor,
  EVENTS,
  LIMITS,
  type ClientToServerEvents,
  type HistoryResponse,
  type Message,
  type PresenceEvent,
  type ReceiptEvent,
  type ServerToClientEvents,
  type TypingEvent,
} from "../../../../shared/protocol";
import { useHttp } from "../../api/useHttp";
import { useAppDispatch, useAppSelector, useAppStore } from "../../app/hooks";
import { selectToken, signedOut } from "../auth/authSlice";
import {
  connectionStatusChanged,
  conversationJoined,
  conversationJoinFailed,
  conversationOpened,
  messageAcked,
  messageReceived,
  messageResendRequested,
  messageSendFailed,
  messageSendRequested,
  messageUpdated,
  missedMessagesLoaded,
  presenceReceived,
  receiptReceived,
  typingExpired,
  typingReceived,
  type PendingMessage,
} from "./chatSlice";
import {
  selectConnectionStatus,
  selectConversation,
  selectHighestContiguousSeq,
  selectNewestSeq,
  selectReadSeq,
  selectSendsToRetry,
} from "./selectors";

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type Outgoing = Pick<PendingMessage, "conversationId" | "clientId" | "recipientId" | "body">;

export const ACK_TIMEOUT_MS = 10_000;

/** The server answers every event; for leave and receipts there is nothing to do with the answer. */
const ignoreAck = () => {};

/** crypto.randomUUID only exists in secure contexts; plain http on a LAN address still needs ids. */
function createClientId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The one bridge between Socket.IO and the store for the chat route: one
 * socket per mounted peer, every server event mapped to a slice action, and
 * `send`/`retry`/`notifyTyping` for the components. Nothing else imports
 * socket.io-client.
 */
export function useChatSocket(peerId: string, selfId: string) {
  const dispatch = useAppDispatch();
  const store = useAppStore();
  const http = useHttp();
  const token = useAppSelector(selectToken);
  const socketRef = useRef<ChatSocket | null>(null);
  const lastTypingSentAtRef = useRef(0);
  const conversationId = conversationIdFor(selfId, peerId);

  const emitSend = useCallback(
    (socket: ChatSocket, message: Outgoing) => {
      const { conversationId: sentIn, clientId, recipientId, body } = message;
      socket.timeout(ACK_TIMEOUT_MS).emit(EVENTS.send, { peerId: recipientId, clientId, body }, (error, response) => {
        // A closed route's socket stays silent; its pending sends are retried by the next join.
        if (socketRef.current !== socket) return;
        if (error) {
          const failure = { code: "TIMEOUT" as const, message: "No answer from the server; it will be retried." };
          dispatch(messageSendFailed({ conversationId: sentIn, clientId, failure }));
        } else if (response.ok) {
          dispatch(messageAcked(response.message));
        } else {
          dispatch(messageSendFailed({ conversationId: sentIn, clientId, failure: response.error }));
        }
      });
    },
    [dispatch],
  );

  useEffect(() => {
    if (token === null) return;
    // Cleared by the cleanup: a stale effect (StrictMode remount, fast switch) never dispatches.
    let active = true;
    let everConnected = false;
    const typingTimers = new Set<ReturnType<typeof setTimeout>>();

    // forceNew: io() otherwise hands back the cached Manager's socket for "/", so two
    // effects (StrictMode, A → B) would share one socket and each other's listeners.
    const socket: ChatSocket = io({ auth: { token }, forceNew: true });
    socketRef.current = socket;
    dispatch(conversationOpened({ conversationId, peerId }));
    dispatch(connectionStatusChanged("connecting"));

    async function fetchMissed(afterSeq: number) {
      let cursor = afterSeq;
      for (;;) {
        const page = await http.get<HistoryResponse>(
          `/api/conversations/${encodeURIComponent(peerId)}/messages?afterSeq=${cursor}&limit=${LIMITS.historyAfterMax}`,
        );
        if (!active) return;
        dispatch(missedMessagesLoaded({ conversationId, messages: page.messages }));
        const last = page.messages.at(-1);
        if (!page.hasMore || last === undefined) return;
        cursor = last.seq;
      }
    }

    function join() {
      // Rejoin after the last seq held without a hole, so the server fills any gap a drop left.
      const afterSeq = selectHighestContiguousSeq(store.getState(), conversationId);
      const payload = afterSeq === undefined ? { peerId } : { peerId, afterSeq };
      socket.timeout(ACK_TIMEOUT_MS).emit(EVENTS.join, payload, (error, response) => {
        if (!active) return;
        if (error) {
          if (socket.connected) join();
          return;
        }
        if (!response.ok) {
          dispatch(conversationJoinFailed({ conversationId, error: response.error }));
          return;
        }
        dispatch(conversationJoined({ result: response, afterSeq }));
        if (afterSeq !== undefined && response.hasMore) {
          const caughtUpTo = response.messages.at(-1)?.seq ?? afterSeq;
          // On failure the next connect catches up again from the same point.
          fetchMissed(caughtUpTo).catch(() => {});
        }
        // Same clientId again: the server stores a message at most once, so a retry never duplicates.
        for (const message of selectSendsToRetry(store.getState(), conversationId)) {
          dispatch(messageResendRequested({ conversationId, clientId: message.clientId }));
          emitSend(socket, message);
        }
      });
    }

    function onConnect() {
      everConnected = true;
      dispatch(connectionStatusChanged("connected"));
      join();
    }
    function onDisconnect() {
      dispatch(connectionStatusChanged(socket.active ? "reconnecting" : "disconnected"));
    }
    function onConnectError(error: Error) {
      if (error.message === "UNAUTHORIZED") {
        dispatch(signedOut());
        return;
      }
      if (!socket.active) dispatch(connectionStatusChanged("disconnected"));
      else dispatch(connectionStatusChanged(everConnected ? "reconnecting" : "connecting"));
    }
    function onMessageNew(message: Message) {
      dispatch(messageReceived(message));
    }
    function onMessageUpdated(message: Message) {
      dispatch(messageUpdated(message));
    }
    function onReceipt(event: ReceiptEvent) {
      dispatch(receiptReceived(event));
    }
    function onTyping(event: TypingEvent) {
      dispatch(typingReceived(event));
      if (!event.typing) return;
      // The receiver expires typists itself, so a peer that went to sleep mid-word is not "typing" forever.
      const timer = setTimeout(() => {
        typingTimers.delete(timer);
        dispatch(typingExpired({ conversationId: event.conversationId, at: Date.now() }));
      }, LIMITS.typingExpiryMs);
      typingTimers.add(timer);
    }
    function onPresence(event: PresenceEvent) {
      dispatch(presenceReceived(event));
    }

    // Registered once per socket, never inside "connect", so reconnects do not stack handlers.
    socket.on("connect", onConnect);
    socket.on("disconnect", onDisconnect);
    socket.on("connect_error", onConnectError);
    socket.on(EVENTS.messageNew, onMessageNew);
    socket.on(EVENTS.messageUpdated, onMessageUpdated);
    socket.on(EVENTS.receiptUpdated, onReceipt);
    socket.on(EVENTS.typing, onTyping);
    socket.on(EVENTS.presence, onPresence);

    return () => {
      active = false;
      for (const timer of typingTimers) clearTimeout(timer);
      if (socket.connected) socket.emit(EVENTS.leave, { peerId }, ignoreAck);
      socket.off("connect", onConnect);
      socket.off("disconnect", onDisconnect);
      socket.off("connect_error", onConnectError);
      socket.off(EVENTS.messageNew, onMessageNew);
      socket.off(EVENTS.messageUpdated, onMessageUpdated);
      socket.off(EVENTS.receiptUpdated, onReceipt);
      socket.off(EVENTS.typing, onTyping);
      socket.off(EVENTS.presence, onPresence);
      socket.disconnect();
      if (socketRef.current === socket) socketRef.current = null;
    };
  }, [token, peerId, conversationId, dispatch, store, http, emitSend]);

  useReadReceipts(socketRef, peerId, conversationId);

  const send = useCallback(
    (body: string) => {
      const socket = socketRef.current;
      if (socket === null) return;
      const message = {
        clientId: createClientId(),
        conversationId,
        senderId: selfId,
        recipientId: peerId,
        body,
        createdAt: new Date().toISOString(),
      };
      dispatch(messageSendRequested(message));
      emitSend(socket, message);
    },
    [conversationId, selfId, peerId, dispatch, emitSend],
  );

  const retry = useCallback(
    (clientId: string) => {
      const socket = socketRef.current;
      const message = selectConversation(store.getState(), conversationId)?.pending.entities[clientId];
      if (socket === null || message === undefined) return;
      dispatch(messageResendRequested({ conversationId, clientId }));
      emitSend(socket, message);
    },
    [conversationId, store, dispatch, emitSend],
  );

  /** Tells the peer "typing", at most once per throttle window (the server relays at most one per second anyway). */
  const notifyTyping = useCallback(() => {
    const socket = socketRef.current;
    const now = Date.now();
    if (!socket?.connected || now - lastTypingSentAtRef.current < LIMITS.typingClientThrottleMs) return;
    lastTypingSentAtRef.current = now;
    socket.emit(EVENTS.typing, { peerId, typing: true });
  }, [peerId]);

  return { send, retry, notifyTyping };
}

/** Moves my read watermark up to the newest message while the conversation is on screen. */
function useReadReceipts(socketRef: { readonly current: ChatSocket | null }, peerId: string, conversationId: string) {
  const connected = useAppSelector(selectConnectionStatus) === "connected";
  const newestSeq = useAppSelector((state) => selectNewestSeq(state, conversationId));
  const readSeq = useAppSelector((state) => selectReadSeq(state, conversationId));

  useEffect(() => {
    const socket = socketRef.current;
    if (socket === null || !connected || newestSeq <= readSeq) return;
    function markRead() {
      if (document.visibilityState === "visible")
        socket?.emit(EVENTS.receipt, { peerId, readSeq: newestSeq }, ignoreAck);
    }
    markRead();
    document.addEventListener("visibilitychange", markRead);
    return () => document.removeEventListener("visibilitychange", markRead);
  }, [socketRef, connected, newestSeq, readSeq, peerId]);
}
