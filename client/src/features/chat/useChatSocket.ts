import { useCallback, useEffect, useRef } from "react";
import { io, type Socket } from "socket.io-client";
import {
  conversationIdFor,
  EVENTS,
  LIMITS,
  type Ack,
  type ApiError,
  type ChangesResponse,
  type ClientToServerEvents,
  type HistoryResponse,
  type Message,
  type PresenceEvent,
  type ReceiptEvent,
  type ServerToClientEvents,
  type TypingEvent,
  type User,
} from "../../../../shared/protocol";
import { HttpError } from "../../api/http";
import { useHttp } from "../../api/useHttp";
import { useAppDispatch, useAppSelector, useAppStore } from "../../app/hooks";
import type { AppDispatch } from "../../app/store";
import { formatWait } from "../../lib/format";
import { selectToken, signedOut } from "../auth/authSlice";
import { fetchConversations, peerLoaded, readReceiptSent } from "../conversations/conversationsSlice";
import { selectConversationEntry } from "../conversations/selectors";
import {
  connectionStatusChanged,
  conversationJoined,
  conversationJoinFailed,
  conversationOpened,
  conversationRejoinRequested,
  changesCaughtUp,
  changesLoaded,
  messageAcked,
  messageDiscarded,
  messageReceived,
  messageResendRequested,
  messageSendFailed,
  messageSendRequested,
  messageSendThrottled,
  messageUpdated,
  missedMessagesLoaded,
  outboxRestored,
  presenceReceived,
  receiptReceived,
  reconnectAttempted,
  typingExpired,
  typingReceived,
  type ChangeOutcome,
} from "./chatSlice";
import { loadOutbox, SEND_POLICY } from "./outbox";
import { createOutboxSender, type OutboxSender } from "./outboxSender";
import {
  selectConnectionStatus,
  selectGapStart,
  selectHighestContiguousSeq,
  selectNewestSeq,
  selectReadSeq,
  selectSendQueue,
  selectSyncedRev,
} from "./selectors";
import { createTypingThrottle, type TypingThrottle } from "./typingThrottle";

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The server answers every event; for leave and receipts there is nothing to do with the answer. */
const ignoreAck = () => {};

const NOT_CONNECTED: ChangeOutcome = { ok: false, message: "Not connected: try again when the connection is back." };

/** Wait before reconnecting a socket the server closed although the session is still valid, so it cannot spin. */
const RECONNECT_AFTER_SERVER_CLOSE_MS = 1_000;

/** Over the rate limit, the wait is what the user needs to know, not the server's terse reason. */
function describeRefusal(error: ApiError): string {
  if (error.code === "RATE_LIMITED")
    return `Too many changes at once: try again in ${formatWait(error.retryAfterMs ?? 1000)}.`;
  return error.message;
}

/** Edits and deletes are not queued like sends: they need the server now, and say why when it cannot answer. */
function settleChange(dispatch: AppDispatch, resolve: (outcome: ChangeOutcome) => void) {
  return (error: Error | null, response: Ack<{ message: Message }>) => {
    if (error) resolve({ ok: false, message: "No answer from the server." });
    else if (!response.ok) resolve({ ok: false, message: describeRefusal(response.error) });
    else {
      // The broadcast brings the same version to every tab; whichever arrives first wins, once.
      dispatch(messageUpdated(response.message));
      resolve({ ok: true });
    }
  };
}

/** crypto.randomUUID only exists in secure contexts; plain http on a LAN address still needs ids. */
function createClientId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The one bridge between Socket.IO and the store for the chat route: one
 * socket per mounted peer, every server event mapped to a slice action, the
 * outbox sender, catch-up and receipts, and `send`/`retry`/`discard`/`edit`/
 * `remove`/`rejoin`/`notifyTyping` for the components. Nothing else imports socket.io-client.
 */
export function useChatSocket(peerId: string, selfId: string) {
  const dispatch = useAppDispatch();
  const store = useAppStore();
  const http = useHttp();
  const token = useAppSelector(selectToken);
  const socketRef = useRef<ChatSocket | null>(null);
  const senderRef = useRef<OutboxSender | null>(null);
  const typingRef = useRef<TypingThrottle | null>(null);
  const rejoinRef = useRef<(() => void) | null>(null);
  const reconnectRef = useRef<(() => void) | null>(null);
  const conversationId = conversationIdFor(selfId, peerId);

  useEffect(() => {
    if (token === null) return;
    // Cleared by the cleanup: a stale effect (StrictMode remount, fast switch) never dispatches.
    let active = true;
    let everConnected = false;
    let fillingGap = false;
    /** Typing expiries, join retries and reconnects: all cleared with the socket. */
    const timers = new Set<ReturnType<typeof setTimeout>>();
    function later(delayMs: number, run: () => void) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        run();
      }, delayMs);
      timers.add(timer);
    }
    /** Highest deliveredSeq told to the server per peer on this connection, so receipts only go out when it moves. */
    const deliveredSent = new Map<string, number>();
    const peersLoading = new Set<string>();

    // forceNew: io() otherwise hands back the cached Manager's socket for "/", so two
    // effects (StrictMode, A → B) would share one socket and each other's listeners.
    // WebSocket first (polling only as a fallback): a socket still on long-polling when the browser
    // goes offline cannot deliver its close, and the server would count it connected until its ping timeout.
    const socket: ChatSocket = io({
      auth: { token },
      forceNew: true,
      autoConnect: navigator.onLine,
      transports: ["websocket", "polling"],
      tryAllTransports: true,
    });
    socketRef.current = socket;
    dispatch(conversationOpened({ conversationId, peerId }));
    dispatch(outboxRestored({ conversationId, messages: loadOutbox(selfId)[conversationId] ?? [] }));
    dispatch(connectionStatusChanged(navigator.onLine ? "connecting" : "offline"));

    const sender = createOutboxSender({
      nextInQueue: () => selectSendQueue(store.getState(), conversationId)[0],
      emit: (message, onResult) => {
        const payload = { peerId: message.recipientId, clientId: message.clientId, body: message.body };
        socket.timeout(SEND_POLICY.ackTimeoutMs).emit(EVENTS.send, payload, (error, response) => {
          // A drop is no failure: the message stays pending and goes out again after the rejoin.
          if (!active || (error && !socket.connected)) return;
          if (error) onResult({ ok: false, failure: { code: "TIMEOUT", message: "No answer from the server." } });
          else if (response.ok) onResult({ ok: true, message: response.message });
          else onResult({ ok: false, failure: response.error });
        });
      },
      acked: (message) => dispatch(messageAcked(message)),
      failed: (clientId, failure) => dispatch(messageSendFailed({ conversationId, clientId, failure })),
      throttled: (clientId, failure) => dispatch(messageSendThrottled({ conversationId, clientId, failure })),
    });
    senderRef.current = sender;
    // One throttle per socket, so a new conversation starts with a fresh "typing" window.
    const typing = createTypingThrottle((isTyping) => {
      if (socket.connected) socket.emit(EVENTS.typing, { peerId, typing: isTyping });
    });
    typingRef.current = typing;

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

    /** Changes the join could not carry, page by page; only once all are in does the sync point move to `rev`. */
    async function fetchChanges(sinceRev: number, uptoSeq: number, rev: number) {
      let cursor = sinceRev;
      for (;;) {
        const page = await http.get<ChangesResponse>(
          `/api/conversations/${encodeURIComponent(peerId)}/changes?sinceRev=${cursor}&uptoSeq=${uptoSeq}`,
        );
        if (!active) return;
        dispatch(changesLoaded({ conversationId, messages: page.messages }));
        const last = page.messages.at(-1);
        if (!page.hasMore || last === undefined) break;
        cursor = last.rev;
      }
      dispatch(changesCaughtUp({ conversationId, rev }));
    }

    /** A live message skipped some seqs (a drop the socket did not notice): fetch the hole over HTTP. */
    function fillGap() {
      const afterSeq = selectGapStart(store.getState(), conversationId);
      if (afterSeq === undefined || fillingGap) return;
      fillingGap = true;
      fetchMissed(afterSeq).then(
        () => {
          fillingGap = false;
          if (active) fillGap();
        },
        // The next (re)join catches up from the same point.
        () => {
          fillingGap = false;
        },
      );
    }

    /** Delivered = a client of mine holds it; the server keeps the watermark monotonic. */
    function confirmDelivery(from: string, seq: number) {
      if (from === selfId || !socket.connected || seq <= (deliveredSent.get(from) ?? 0)) return;
      deliveredSent.set(from, seq);
      socket.emit(EVENTS.receipt, { peerId: from, deliveredSeq: seq }, ignoreAck);
    }

    /** A conversation first seen through a live message: fetch who it is with. */
    function loadUnknownPeer(ofConversation: string) {
      const entry = selectConversationEntry(store.getState(), ofConversation);
      if (!entry || entry.peer !== null || peersLoading.has(entry.peerId)) return;
      const unknownId = entry.peerId;
      peersLoading.add(unknownId);
      http.get<{ user: User }>(`/api/users/${encodeURIComponent(unknownId)}`).then(
        ({ user }) => {
          peersLoading.delete(unknownId);
          if (active) dispatch(peerLoaded(user));
        },
        () => peersLoading.delete(unknownId),
      );
    }

    /** The conversation list, refreshed on every connect; it also marks what it shows as delivered. */
    function refreshConversations() {
      void dispatch(fetchConversations(http)).then((action) => {
        if (!active || !fetchConversations.fulfilled.match(action)) return;
        for (const { peer, lastMessage, unreadCount } of action.payload) {
          if (lastMessage !== null && unreadCount > 0) confirmDelivery(peer.id, lastMessage.seq);
        }
      });
    }

    function join() {
      // Rejoin after the last seq held without a hole, so the server fills any gap a drop left, and
      // since the last complete catch-up (not the newest rev seen live: those may arrive out of order),
      // so it also sends what was edited or deleted meanwhile. No sync point yet: every change of what is held.
      const state = store.getState();
      const afterSeq = selectHighestContiguousSeq(state, conversationId);
      const sinceRev = selectSyncedRev(state, conversationId) ?? 0;
      const payload = afterSeq === undefined ? { peerId } : { peerId, afterSeq, sinceRev };
      socket.timeout(SEND_POLICY.ackTimeoutMs).emit(EVENTS.join, payload, (error, response) => {
        if (!active) return;
        if (error) {
          if (socket.connected) join();
          return;
        }
        if (!response.ok && response.error.code === "RATE_LIMITED") {
          // Not a fault of the conversation: join again once allowed, the connection still stands.
          later(response.error.retryAfterMs ?? 1000, () => {
            if (socket.connected) join();
          });
          return;
        }
        if (!response.ok) {
          dispatch(conversationJoinFailed({ conversationId, error: response.error }));
          return;
        }
        dispatch(conversationJoined({ result: response, afterSeq }));
        confirmDelivery(peerId, selectNewestSeq(store.getState(), conversationId));
        if (afterSeq !== undefined && response.hasMore) {
          const caughtUpTo = response.messages.at(-1)?.seq ?? afterSeq;
          // On failure the next connect catches up again from the same point.
          fetchMissed(caughtUpTo).catch(() => {});
        }
        if (afterSeq !== undefined && response.changedHasMore) {
          const changedUpTo = response.changed.at(-1)?.rev ?? sinceRev;
          // On failure the sync point stays where it was and the next join asks again.
          fetchChanges(changedUpTo, afterSeq, response.rev).catch(() => {});
        }
        // Same clientIds again: the server stores a message at most once, so a resend never duplicates.
        sender.resume();
      });
    }
    rejoinRef.current = () => {
      if (socket.connected) join();
    };
    /** Opens the socket again where socket.io-client will not by itself (refused handshake, closed by the server). */
    function reconnect() {
      if (!active || socket.active) return;
      dispatch(connectionStatusChanged(everConnected ? "reconnecting" : "connecting"));
      socket.connect();
    }
    reconnectRef.current = reconnect;

    function statusWhileDown() {
      if (!navigator.onLine) return "offline";
      if (!socket.active) return "disconnected";
      return everConnected ? "reconnecting" : "connecting";
    }

    function onConnect() {
      everConnected = true;
      deliveredSent.clear();
      dispatch(connectionStatusChanged("connected"));
      join();
      refreshConversations();
    }
    function onDisconnect(reason: string) {
      sender.pause();
      dispatch(connectionStatusChanged(statusWhileDown()));
      // socket.io-client does not retry a disconnect the server made. The server makes one when the
      // session was revoked or expired: then /api/me answers 401 and the HTTP client signs out.
      // Otherwise (a slow reader cut off, say) the session is fine and the socket comes back.
      if (reason !== "io server disconnect") return;
      http.get<{ user: User }>("/api/me").then(
        () => {
          if (active) later(RECONNECT_AFTER_SERVER_CLOSE_MS, reconnect);
        },
        (error: unknown) => {
          const sessionEnded = error instanceof HttpError && error.status === 401;
          if (active && !sessionEnded) later(RECONNECT_AFTER_SERVER_CLOSE_MS, reconnect);
        },
      );
    }
    function onConnectError(error: Error) {
      if (error.message === "UNAUTHORIZED") {
        dispatch(signedOut());
        return;
      }
      // Refused at the handshake: the socket stays closed until the user closes a tab and retries.
      if (error.message === "TOO_MANY_CONNECTIONS") {
        dispatch(connectionStatusChanged("tooManyConnections"));
        return;
      }
      dispatch(connectionStatusChanged(statusWhileDown()));
    }
    function onReconnectAttempt(attempt: number) {
      dispatch(reconnectAttempted(attempt));
    }
    // The browser knows before the socket does; emits into a dead connection would only be buffered.
    function onOffline() {
      socket.disconnect();
      dispatch(connectionStatusChanged("offline"));
    }
    function onOnline() {
      dispatch(connectionStatusChanged(everConnected ? "reconnecting" : "connecting"));
      socket.connect();
    }
    function onMessageNew(message: Message) {
      dispatch(messageReceived(message));
      confirmDelivery(message.senderId, message.seq);
      if (message.conversationId === conversationId) fillGap();
      else loadUnknownPeer(message.conversationId);
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
      later(LIMITS.typingExpiryMs, () =>
        dispatch(typingExpired({ conversationId: event.conversationId, at: Date.now() })),
      );
    }
    function onPresence(event: PresenceEvent) {
      dispatch(presenceReceived(event));
    }

    // Registered once per socket, never inside "connect", so reconnects do not stack handlers.
    socket.on("connect", onConnect);
    socket.on("disconnect", onDisconnect);
    socket.on("connect_error", onConnectError);
    socket.io.on("reconnect_attempt", onReconnectAttempt);
    socket.on(EVENTS.messageNew, onMessageNew);
    socket.on(EVENTS.messageUpdated, onMessageUpdated);
    socket.on(EVENTS.receiptUpdated, onReceipt);
    socket.on(EVENTS.typing, onTyping);
    socket.on(EVENTS.presence, onPresence);
    window.addEventListener("offline", onOffline);
    window.addEventListener("online", onOnline);

    return () => {
      active = false;
      sender.pause();
      if (senderRef.current === sender) senderRef.current = null;
      for (const timer of timers) clearTimeout(timer);
      // Leaving mid-word must not leave the peer watching "typing…" for 6 s.
      typing.stopped();
      if (typingRef.current === typing) typingRef.current = null;
      rejoinRef.current = null;
      reconnectRef.current = null;
      if (socket.connected) socket.emit(EVENTS.leave, { peerId }, ignoreAck);
      window.removeEventListener("offline", onOffline);
      window.removeEventListener("online", onOnline);
      socket.off("connect", onConnect);
      socket.off("disconnect", onDisconnect);
      socket.off("connect_error", onConnectError);
      socket.io.off("reconnect_attempt", onReconnectAttempt);
      socket.off(EVENTS.messageNew, onMessageNew);
      socket.off(EVENTS.messageUpdated, onMessageUpdated);
      socket.off(EVENTS.receiptUpdated, onReceipt);
      socket.off(EVENTS.typing, onTyping);
      socket.off(EVENTS.presence, onPresence);
      socket.disconnect();
      if (socketRef.current === socket) socketRef.current = null;
    };
  }, [token, peerId, selfId, conversationId, dispatch, store, http]);

  useReadReceipts(socketRef, peerId, conversationId);

  /** Queued first, so it is shown (pending) and kept even while disconnected; the sender takes it from there. */
  const send = useCallback(
    (body: string) => {
      const createdAt = new Date().toISOString();
      const clientId = createClientId();
      dispatch(
        messageSendRequested({ clientId, conversationId, senderId: selfId, recipientId: peerId, body, createdAt }),
      );
      senderRef.current?.flush();
    },
    [conversationId, selfId, peerId, dispatch],
  );

  const retry = useCallback(
    (clientId: string) => {
      dispatch(messageResendRequested({ conversationId, clientId }));
      senderRef.current?.flush();
    },
    [conversationId, dispatch],
  );

  const discard = useCallback(
    (clientId: string) => dispatch(messageDiscarded({ conversationId, clientId })),
    [conversationId, dispatch],
  );

  /** The composer's typing state; the throttle decides what actually goes to the peer. */
  const notifyTyping = useCallback((isTyping: boolean) => {
    if (isTyping) typingRef.current?.typed();
    else typingRef.current?.stopped();
  }, []);

  const edit = useCallback(
    (messageId: string, body: string) =>
      new Promise<ChangeOutcome>((resolve) => {
        const socket = socketRef.current;
        if (!socket?.connected) resolve(NOT_CONNECTED);
        else
          socket
            .timeout(SEND_POLICY.ackTimeoutMs)
            .emit(EVENTS.edit, { messageId, body }, settleChange(dispatch, resolve));
      }),
    [dispatch],
  );

  const remove = useCallback(
    (messageId: string) =>
      new Promise<ChangeOutcome>((resolve) => {
        const socket = socketRef.current;
        if (!socket?.connected) resolve(NOT_CONNECTED);
        else
          socket.timeout(SEND_POLICY.ackTimeoutMs).emit(EVENTS.delete, { messageId }, settleChange(dispatch, resolve));
      }),
    [dispatch],
  );

  /** Tries a failed join again; while disconnected the next connect joins anyway. */
  const rejoin = useCallback(() => {
    dispatch(conversationRejoinRequested({ conversationId }));
    rejoinRef.current?.();
  }, [conversationId, dispatch]);

  /** Opens the socket again after the server refused it (too many connections) or closed it. */
  const reconnect = useCallback(() => reconnectRef.current?.(), []);

  return { send, retry, discard, edit, remove, rejoin, reconnect, notifyTyping };
}

/** Read means seen: the page is visible and has the focus (a tab behind another window reads nothing). */
function isBeingRead(): boolean {
  return document.visibilityState === "visible" && document.hasFocus();
}

/** Moves my read watermark up to the newest message while the conversation is on screen and focused. */
function useReadReceipts(socketRef: { readonly current: ChatSocket | null }, peerId: string, conversationId: string) {
  const dispatch = useAppDispatch();
  const connected = useAppSelector(selectConnectionStatus) === "connected";
  const newestSeq = useAppSelector((state) => selectNewestSeq(state, conversationId));
  const readSeq = useAppSelector((state) => selectReadSeq(state, conversationId));

  useEffect(() => {
    const socket = socketRef.current;
    if (socket === null || !connected || newestSeq <= readSeq) return;
    function markRead() {
      if (!isBeingRead()) return;
      socket?.emit(EVENTS.receipt, { peerId, readSeq: newestSeq }, ignoreAck);
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
