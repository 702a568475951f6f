import { useCallback, useEffect, useRef } from "react";
import { io } from "socket.io-client";
import {
  EVENTS,
  LIMITS,
  type Ack,
  type ApiError,
  type ClientToServerEvents,
  type Message,
  type ReplyQuote,
} from "../../../shared/protocol";
import { useAppDispatch, useAppSelector, useAppStore } from "../app/hooks";
import { conversationsQuery, fetchQuery, meQuery, requestGroup, userQuery } from "../app/parleyApi";
import type { AppDispatch } from "../app/store";
import { createClientId } from "../lib/clientId";
import { formatWait } from "../lib/format";
import { selectToken, signedOut } from "../features/auth/authSlice";
import { peerLoaded } from "../features/conversations/conversationsSlice";
import { selectConversationEntry, selectListNextBefore } from "../features/conversations/selectors";
import {
  conversationJoined,
  conversationJoinFailed,
  conversationOpened,
  conversationRejoinRequested,
  groupLoaded,
  messageDiscarded,
  messageResendRequested,
  messageSendRequested,
  messageUpdated,
  outboxRestored,
  typingExpired,
  type ChangeOutcome,
} from "../features/chat/chatSlice";
import { loadOutbox, SEND_POLICY } from "../features/chat/outbox";
import { groupIdOf, pathRef, refPayload, routeConversation } from "../features/chat/conversationRef";
import { connectionStatusChanged, reconnectAttempted } from "../features/connection/connectionSlice";
import { presenceReceived } from "../features/presence/presenceSlice";
import { selectHighestContiguousSeq, selectNewestSeq, selectSyncedRev } from "../features/chat/selectors";
import { createTypingThrottle, type TypingThrottle } from "../features/chat/typingThrottle";
import { createCatchUp } from "./catchUp";
import { createSocketOutboxSender, type OutboxSender } from "./outboxSender";
import { createDeliveryReceipts, useReadReceipts } from "./receipts";
import { ignoreAck, type RouteSocket } from "./socketTypes";
import { SERVER_EVENT_NAMES, translate, type ServerEvent } from "./translate";

const NOT_CONNECTED: ChangeOutcome = { ok: false, message: "Not connected: try again when the connection is back." };

/** Wait before reconnecting a socket the server closed although the session is still valid, so it cannot spin. */
const RECONNECT_AFTER_SERVER_CLOSE_MS = 1_000;

/** Over the rate limit, the wait is what the user needs to know, not the server's terse reason. */
function describeRefusal(error: ApiError): string {
  if (error.code === "RATE_LIMITED")
    return `Too many changes at once: try again in ${formatWait(error.retryAfterMs ?? 1000)}.`;
  if (error.code === "LIMIT_REACHED") return `No more reactions on this message: ${error.message}`;
  return error.message;
}

/** The events whose ack carries the changed message. */
type ChangeEvent = "message:edit" | "message:delete" | "reaction:add" | "reaction:remove";
/** socket.io-client's timed emit, as requestChange calls it for any of them (its overloads take one event at a time). */
type ChangeEmit = (
  event: ChangeEvent,
  payload: unknown,
  ack: (error: Error | null, response: Ack<{ message?: Message }>) => void,
) => void;

/**
 * Edits, deletes and reactions are not queued like sends: they need the server now, and say why when it
 * cannot answer. A removal that changed nothing is answered without a message.
 */
function settleChange(dispatch: AppDispatch, resolve: (outcome: ChangeOutcome) => void) {
  return (error: Error | null, response: Ack<{ message?: Message }>) => {
    if (error) resolve({ ok: false, message: "No answer from the server." });
    else if (!response.ok) resolve({ ok: false, message: describeRefusal(response.error) });
    else {
      // The broadcast brings the same version to every tab; whichever arrives first wins, once.
      if (response.message) dispatch(messageUpdated(response.message));
      resolve({ ok: true });
    }
  };
}

/**
 * The socket of a live route: the home page (`ref` null) or one conversation, named by the peer's id (a
 * chat) or by the conversation id (a group, "grp:<id>"). One socket per mounted route, created in the
 * effect, held in a ref and closed with all its listeners in the cleanup. It only wires: server events go
 * through `translate`, catch-up, receipts and the outbox are their own
 * modules. The only importer of socket.io-client.
 */
export function useRouteSocket(ref: string | null, selfId: string, open = true) {
  const dispatch = useAppDispatch();
  const store = useAppStore();
  const token = useAppSelector(selectToken);
  const socketRef = useRef<RouteSocket | null>(null);
  const senderRef = useRef<OutboxSender | null>(null);
  const typingRef = useRef<TypingThrottle | null>(null);
  const rejoinRef = useRef<(() => void) | null>(null);
  const reconnectRef = useRef<(() => void) | null>(null);
  const route = ref === null ? null : routeConversation(ref, selfId);
  const conversationId = route?.conversationId ?? null;
  const peerId = route?.peerId ?? null;

  useEffect(() => {
    if (token === null || !open) return;
    const sessionToken = token;
    // Cleared by the cleanup: a stale effect (StrictMode remount, fast switch) never dispatches.
    let active = true;
    const isActive = () => active;
    let everConnected = false;
    /** Typing expiries, join retries and reconnects: all cleared with the socket. */
    const timers = new Set<ReturnType<typeof setTimeout>>();
    function later(delayMs: number, run: () => void) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        run();
      }, delayMs);
      timers.add(timer);
    }

    // forceNew: io() otherwise hands back the cached Manager's socket for "/", so two
    // effects (StrictMode, A → B) would share one socket and each other's listeners.
    // WebSocket first (polling only as a fallback): a socket still on long-polling when the browser
    // goes offline cannot deliver its close, and the server would count it connected until its ping timeout.
    const socket: RouteSocket = io({
      auth: { token },
      forceNew: true,
      autoConnect: navigator.onLine,
      transports: ["websocket", "polling"],
      tryAllTransports: true,
    });
    socketRef.current = socket;
    const receipts = createDeliveryReceipts(socket, selfId);
    dispatch(connectionStatusChanged(navigator.onLine ? "connecting" : "offline"));

    // Only a conversation's route has one to join, an outbox to send and a typing state.
    const opened = conversationId === null ? null : { conversationId, peerId };
    const chat =
      opened === null
        ? null
        : {
            ...opened,
            ref: refPayload(opened),
            groupId: groupIdOf(opened.conversationId),
            sender: createSocketOutboxSender({
              socket,
              conversationId: opened.conversationId,
              dispatch,
              getState: store.getState,
              isActive,
            }),
            catchUp: createCatchUp({
              dispatch,
              getState: store.getState,
              ref: pathRef(opened),
              conversationId: opened.conversationId,
              isActive,
            }),
            // One throttle per socket, so a new conversation starts with a fresh "typing" window.
            typing: createTypingThrottle((isTyping) => {
              if (socket.connected) socket.emit(EVENTS.typing, { ...refPayload(opened), typing: isTyping });
            }),
          };
    if (chat) {
      dispatch(conversationOpened({ conversationId: chat.conversationId, peerId: chat.peerId }));
      dispatch(
        outboxRestored({
          conversationId: chat.conversationId,
          messages: loadOutbox(selfId)[chat.conversationId] ?? [],
        }),
      );
      senderRef.current = chat.sender;
      typingRef.current = chat.typing;
    }

    /**
     * A conversation first seen through a live message: fetch who it is with (one request per person). While
     * the list has pages not yet held, it may be one of theirs, with unread messages before this one: its new
     * message put it on the first page, which says how many.
     */
    function loadUnknownConversation(ofConversation: string) {
      const state = store.getState();
      const entry = selectConversationEntry(state, ofConversation);
      if (!entry || entry.peer !== null || entry.group !== null) return;
      // A group is only known from the list: its first page has it, the newest activity (I was added, say).
      if (entry.peerId === null || selectListNextBefore(state) !== null) {
        void dispatch(fetchQuery(conversationsQuery, undefined, { refetch: true }));
      }
      if (entry.peerId === null) return;
      // On a failure the conversation's next message asks again.
      void dispatch(fetchQuery(userQuery, entry.peerId)).then((result) => {
        if (active && "data" in result) dispatch(peerLoaded(result.data));
      });
    }

    /**
     * The conversation list, fetched on every connect and only then: what is sent before the answer's snapshot
     * is in it, anything after reaches this socket. It also marks what it shows as delivered.
     */
    function refreshConversations() {
      // On a failure the list says so and offers a retry; the next connect fetches it again anyway.
      void dispatch(fetchQuery(conversationsQuery, undefined, { refetch: true })).then((result) => {
        if (!active || "error" in result) return;
        for (const { conversationId, lastMessage, unreadCount } of result.data.conversations) {
          if (lastMessage !== null && unreadCount > 0) receipts.confirm(conversationId, lastMessage.seq);
        }
      });
    }

    function join() {
      if (chat === null) return;
      const { ref, conversationId, sender, catchUp } = chat;
      // Rejoin after the last seq held without a hole, so the server fills any gap a drop left, and
      // since the last complete catch-up (not the newest rev seen live: those may arrive out of order),
      // so it also sends what was edited or deleted meanwhile. No sync point yet: every change of what is held.
      const state = store.getState();
      const afterSeq = selectHighestContiguousSeq(state, conversationId);
      const sinceRev = selectSyncedRev(state, conversationId) ?? 0;
      const payload = afterSeq === undefined ? ref : { ...ref, afterSeq, sinceRev };
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
        // The join's answer is the freshest word on the peer's (the members') presence.
        const people = "peer" in response ? [response.peer] : response.group.members.map((member) => member.user);
        for (const { id, online, lastSeenAt } of people) dispatch(presenceReceived({ userId: id, online, lastSeenAt }));
        receipts.confirm(conversationId, selectNewestSeq(store.getState(), conversationId));
        if (afterSeq !== undefined && response.hasMore) {
          const caughtUpTo = response.messages.at(-1)?.seq ?? afterSeq;
          // On failure the next connect catches up again from the same point.
          catchUp.fetchMissed(caughtUpTo).catch(() => {});
        }
        if (afterSeq !== undefined && response.changedHasMore) {
          const changedUpTo = response.changed.at(-1)?.rev ?? sinceRev;
          // On failure the sync point stays where it was and the next join asks again.
          catchUp.fetchChanges(changedUpTo, afterSeq, response.rev).catch(() => {});
        }
        // Same clientIds again: the server stores a message at most once, so a resend never duplicates.
        sender.resume();
      });
    }
    /** The open group again, for the names of members an `added` message only gives ids of. */
    function loadGroup() {
      if (chat?.groupId == null) return;
      // On a failure the names wait for the next join, which carries the group.
      void dispatch(requestGroup(chat.groupId)).then((result) => {
        if (active && "data" in result) dispatch(groupLoaded(result.data.group));
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
      receipts.reset();
      dispatch(connectionStatusChanged("connected"));
      join();
      refreshConversations();
    }
    function onDisconnect(reason: string) {
      chat?.sender.pause();
      dispatch(connectionStatusChanged(statusWhileDown()));
      // socket.io-client does not retry a disconnect the server made. The server makes one when the
      // session was revoked or expired: then /api/me answers 401 and the HTTP client signs out.
      // Otherwise (a slow reader cut off, say) the session is fine and the socket comes back.
      if (reason !== "io server disconnect") return;
      void dispatch(fetchQuery(meQuery, sessionToken, { refetch: true })).then((result) => {
        const sessionEnded = "error" in result && result.error.status === 401;
        if (active && !sessionEnded) later(RECONNECT_AFTER_SERVER_CLOSE_MS, reconnect);
      });
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

    /** The store hears every server event through the translator; the side effects follow here. */
    function onServerEvent(event: ServerEvent) {
      dispatch(translate(event));
      if (event.name === EVENTS.messageNew) {
        const message = event.payload;
        if (message.senderId !== selfId) receipts.confirm(message.conversationId, message.seq);
        if (chat !== null && message.conversationId === chat.conversationId) {
          chat.catchUp.fillGap();
          if (message.system?.action === "added") loadGroup();
        } else loadUnknownConversation(message.conversationId);
      } else if (event.name === EVENTS.typing && event.payload.typing) {
        const typingIn = event.payload.conversationId;
        // The receiver expires typists itself, so a peer that went to sleep mid-word is not "typing" forever.
        later(LIMITS.typingExpiryMs, () => dispatch(typingExpired({ conversationId: typingIn, at: Date.now() })));
      }
    }
    // One named handler per event, so the cleanup removes exactly what was added.
    const serverHandlers = SERVER_EVENT_NAMES.map((name) => {
      const handler = (payload: ServerEvent["payload"]) => onServerEvent({ name, payload } as ServerEvent);
      return [name, handler] as const;
    });

    // Registered once per socket, never inside "connect", so reconnects do not stack handlers.
    socket.on("connect", onConnect);
    socket.on("disconnect", onDisconnect);
    socket.on("connect_error", onConnectError);
    socket.io.on("reconnect_attempt", onReconnectAttempt);
    for (const [name, handler] of serverHandlers) socket.on(name, handler);
    window.addEventListener("offline", onOffline);
    window.addEventListener("online", onOnline);

    return () => {
      active = false;
      for (const timer of timers) clearTimeout(timer);
      if (chat) {
        chat.sender.pause();
        if (senderRef.current === chat.sender) senderRef.current = null;
        // Leaving mid-word must not leave the peer watching "typing…" for 6 s.
        chat.typing.stopped();
        if (typingRef.current === chat.typing) typingRef.current = null;
        if (socket.connected) socket.emit(EVENTS.leave, chat.ref, ignoreAck);
      }
      rejoinRef.current = null;
      reconnectRef.current = null;
      window.removeEventListener("offline", onOffline);
      window.removeEventListener("online", onOnline);
      socket.off("connect", onConnect);
      socket.off("disconnect", onDisconnect);
      socket.off("connect_error", onConnectError);
      socket.io.off("reconnect_attempt", onReconnectAttempt);
      for (const [name, handler] of serverHandlers) socket.off(name, handler);
      socket.disconnect();
      if (socketRef.current === socket) socketRef.current = null;
    };
  }, [token, open, peerId, selfId, conversationId, dispatch, store]);

  useReadReceipts(socketRef, peerId, conversationId);

  /** Queued first, so it is shown (pending) and kept even while disconnected; the sender takes it from there. */
  const send = useCallback(
    (body: string, replyTo?: ReplyQuote) => {
      if (conversationId === null) return;
      const createdAt = new Date().toISOString();
      const clientId = createClientId();
      dispatch(
        messageSendRequested({
          clientId,
          conversationId,
          senderId: selfId,
          recipientId: peerId,
          body,
          createdAt,
          ...(replyTo && { replyTo }),
        }),
      );
      senderRef.current?.flush();
    },
    [conversationId, selfId, peerId, dispatch],
  );

  const retry = useCallback(
    (clientId: string) => {
      if (conversationId === null) return;
      dispatch(messageResendRequested({ conversationId, clientId }));
      senderRef.current?.flush();
    },
    [conversationId, dispatch],
  );

  const discard = useCallback(
    (clientId: string) => {
      if (conversationId !== null) dispatch(messageDiscarded({ conversationId, clientId }));
    },
    [conversationId, dispatch],
  );

  /** The composer's typing state; the throttle decides what actually goes to the peer. */
  const notifyTyping = useCallback((isTyping: boolean) => {
    if (isTyping) typingRef.current?.typed();
    else typingRef.current?.stopped();
  }, []);

  /** An edit, delete or reaction, settled by settleChange. */
  const requestChange = useCallback(
    <E extends ChangeEvent>(event: E, payload: Parameters<ClientToServerEvents[E]>[0]) =>
      new Promise<ChangeOutcome>((resolve) => {
        const socket = socketRef.current;
        if (!socket?.connected) resolve(NOT_CONNECTED);
        else
          (socket.timeout(SEND_POLICY.ackTimeoutMs).emit as ChangeEmit)(
            event,
            payload,
            settleChange(dispatch, resolve),
          );
      }),
    [dispatch],
  );

  const edit = useCallback(
    (messageId: string, body: string) => requestChange(EVENTS.edit, { messageId, body }),
    [requestChange],
  );

  const remove = useCallback((messageId: string) => requestChange(EVENTS.delete, { messageId }), [requestChange]);

  /** Adds my reaction, or takes it back; the server's message:updated is what the row then shows. */
  const react = useCallback(
    (messageId: string, emoji: string, add: boolean) =>
      requestChange(add ? EVENTS.reactionAdd : EVENTS.reactionRemove, { messageId, emoji }),
    [requestChange],
  );

  /** Tries a failed join again; while disconnected the next connect joins anyway. */
  const rejoin = useCallback(() => {
    if (conversationId !== null) dispatch(conversationRejoinRequested({ conversationId }));
    rejoinRef.current?.();
  }, [conversationId, dispatch]);

  /** Opens the socket again after the server refused it (too many connections) or closed it. */
  const reconnect = useCallback(() => reconnectRef.current?.(), []);

  return { send, retry, discard, edit, remove, react, rejoin, reconnect, notifyTyping };
}

export type RouteSocketActions = ReturnType<typeof useRouteSocket>;
