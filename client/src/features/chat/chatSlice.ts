import { createEntityAdapter, createSlice, type EntityState, type PayloadAction } from "@reduxjs/toolkit";
import {
  LIMITS,
  type ApiError,
  type ErrorCode,
  type Group,
  type JoinResult,
  type Message,
  type ReceiptEvent,
  type ReplyQuote,
  type TypingEvent,
} from "../../../../shared/protocol";
import { signedOut } from "../auth/authSlice";
import { presenceReceived } from "../presence/presenceSlice";
import { applySystemEvent } from "./groupEvents";
import { laterVersion, quoteExcerpt } from "./reconcile";

/** Why a send did not complete; TIMEOUT means unknown, the server may well have stored it. */
export type SendFailure = { code: ErrorCode | "TIMEOUT"; message: string; retryAfterMs?: number };

/** How an edit or a delete ended; on failure, the reason to show beside the message. */
export type ChangeOutcome = { ok: true } | { ok: false; message: string };

/** A message shown before the server confirmed it, keyed by the clientId it is sent with. */
export type PendingMessage = {
  clientId: string;
  conversationId: string;
  senderId: string;
  /** The peer of a one-to-one conversation; null in a group. */
  recipientId: string | null;
  body: string;
  /** The message this one answers, as quoted while it waits; every retry sends the same replyToId. */
  replyTo?: ReplyQuote | null;
  createdAt: string;
  status: "pending" | "failed";
  failure: SendFailure | null;
};

export type ConversationState = {
  conversationId: string;
  /** The peer of a one-to-one conversation; null in a group. */
  peerId: string | null;
  /** A group's state as its last join answered, patched by its live system messages and receipts; null in a DM. */
  group: Group | null;
  /** Confirmed messages, keyed by server id and kept sorted by seq. */
  messages: EntityState<Message, string>;
  /** Unconfirmed sends in send order; a clientId leaves as soon as its stored message arrives. */
  pending: EntityState<PendingMessage, string>;
  hasOlder: boolean;
  /** A join answered at least once, so what is held is the conversation's newest history, not a guess. */
  historyLoaded: boolean;
  joinError: ApiError | null;
  /** The conversation's rev at the last complete catch-up: every change up to it is applied to what is held. */
  syncedRev: number | null;
  readSeq: number;
  peerReadSeq: number;
  peerDeliveredSeq: number;
  /** Epoch ms after which the peer's last `typing: true` has expired. */
  peerTypingUntil: number | null;
  /** In a group: when each typing member's last `typing: true` expires, by user id. */
  typingUntil: Record<string, number>;
};

export type ChatState = {
  conversations: Record<string, ConversationState>;
};

export const messagesAdapter = createEntityAdapter<Message>({ sortComparer: (a, b) => a.seq - b.seq });
export const pendingAdapter = createEntityAdapter({ selectId: (message: PendingMessage) => message.clientId });

const initialState: ChatState = { conversations: {} };

function emptyConversation(conversationId: string, peerId: string | null): ConversationState {
  return {
    conversationId,
    peerId,
    group: null,
    messages: messagesAdapter.getInitialState(),
    pending: pendingAdapter.getInitialState(),
    hasOlder: false,
    historyLoaded: false,
    joinError: null,
    syncedRev: null,
    readSeq: 0,
    peerReadSeq: 0,
    peerDeliveredSeq: 0,
    peerTypingUntil: null,
    typingUntil: {},
  };
}

function ensureConversation(state: ChatState, conversationId: string, peerId: string | null): ConversationState {
  state.conversations[conversationId] ??= emptyConversation(conversationId, peerId);
  return state.conversations[conversationId];
}

// Adapter operations are assigned back: on a conversation created in this same
// reducer call (not an Immer draft yet) they return a new state instead of mutating.

/** Merges stored messages by id; each one settles the pending send with its clientId, whichever of ack or broadcast came first. */
function storeConfirmed(conversation: ConversationState, messages: readonly Message[]): void {
  for (const message of messages) {
    const held = conversation.messages.entities[message.id];
    const kept = laterVersion(held, message);
    if (kept !== held) conversation.messages = messagesAdapter.setOne(conversation.messages, kept);
    if (held !== undefined && kept !== held) patchReplyQuotes(conversation, kept);

    const pending = conversation.pending.entities[message.clientId];
    if (pending && pending.senderId === message.senderId) {
      conversation.pending = pendingAdapter.removeOne(conversation.pending, message.clientId);
    }
  }
}

/**
 * The server builds a reply's quote when it is read and re-emits nothing when the parent changes (v2 §4), so
 * the replies already held are brought in line with the parent's new version here.
 */
function patchReplyQuotes(conversation: ConversationState, parent: Message): void {
  const deleted = parent.deletedAt !== null;
  const excerpt = deleted ? "" : quoteExcerpt(parent.body);
  for (const reply of Object.values(conversation.messages.entities)) {
    if (reply.replyTo?.id !== parent.id) continue;
    conversation.messages = messagesAdapter.updateOne(conversation.messages, {
      id: reply.id,
      changes: { replyTo: { ...reply.replyTo, excerpt, deleted } },
    });
  }
}

/** Newer copies of messages already held; others are left out, so an edit far up the history leaves no hole behind it. */
function storeChanges(conversation: ConversationState, messages: readonly Message[]): void {
  storeConfirmed(
    conversation,
    messages.filter((message) => conversation.messages.entities[message.id] !== undefined),
  );
}

/** Only moves forward: an older catch-up finishing late must not send the next rejoin back further than needed. */
function markSynced(conversation: ConversationState, rev: number): void {
  conversation.syncedRev = Math.max(conversation.syncedRev ?? 0, rev);
}

export const chatSlice = createSlice({
  name: "chat",
  initialState,
  reducers: {
    /** The chat route opened this conversation; what is already held is kept and caught up by the join. */
    /** `peerId` null: a group, whose state comes with the join. */
    conversationOpened: (state, action: PayloadAction<{ conversationId: string; peerId: string | null }>) => {
      const conversation = ensureConversation(state, action.payload.conversationId, action.payload.peerId);
      conversation.joinError = null;
      conversation.peerTypingUntil = null;
      conversation.typingUntil = {};
    },
    conversationJoined: (state, action: PayloadAction<{ result: JoinResult; afterSeq: number | undefined }>) => {
      const { result, afterSeq } = action.payload;
      const conversation = ensureConversation(state, result.conversationId, "peer" in result ? result.peer.id : null);
      storeConfirmed(conversation, result.messages);
      storeChanges(conversation, result.changed);
      // The rest of the changes comes over HTTP; until then the old sync point stays.
      if (!result.changedHasMore) markSynced(conversation, result.rev);
      // Without afterSeq the join answers the newest page, so hasMore means older ones exist;
      // with it, hasMore means newer ones remain (fetched over HTTP) and says nothing about older ones.
      if (afterSeq === undefined) conversation.hasOlder = result.hasMore;
      conversation.historyLoaded = true;
      conversation.joinError = null;
      conversation.readSeq = Math.max(conversation.readSeq, result.readSeq);
      if ("peer" in result) {
        conversation.peerReadSeq = Math.max(conversation.peerReadSeq, result.peerReadSeq);
        conversation.peerDeliveredSeq = Math.max(conversation.peerDeliveredSeq, result.peerDeliveredSeq);
      } else {
        conversation.group = result.group;
      }
    },
    /** The group as GET /api/groups/:id answered (after a live `added`, whose message names ids only). */
    groupLoaded: (state, action: PayloadAction<Group>) => {
      const conversation = state.conversations[action.payload.conversationId];
      if (conversation) conversation.group = action.payload;
    },
    conversationJoinFailed: (state, action: PayloadAction<{ conversationId: string; error: ApiError }>) => {
      const conversation = state.conversations[action.payload.conversationId];
      if (conversation) conversation.joinError = action.payload.error;
    },
    /** The user asked to try the failed join again. */
    conversationRejoinRequested: (state, action: PayloadAction<{ conversationId: string }>) => {
      const conversation = state.conversations[action.payload.conversationId];
      if (conversation) conversation.joinError = null;
    },
    messageSendRequested: (state, action: PayloadAction<Omit<PendingMessage, "status" | "failure">>) => {
      const { conversationId, recipientId } = action.payload;
      const conversation = ensureConversation(state, conversationId, recipientId);
      conversation.pending = pendingAdapter.addOne(conversation.pending, {
        ...action.payload,
        status: "pending",
        failure: null,
      });
    },
    /** Sends of this tab that were still unsettled when it was reloaded; kept in their send order. */
    outboxRestored: (state, action: PayloadAction<{ conversationId: string; messages: PendingMessage[] }>) => {
      const conversation = state.conversations[action.payload.conversationId];
      if (conversation) conversation.pending = pendingAdapter.addMany(conversation.pending, action.payload.messages);
    },
    messageDiscarded: (state, action: PayloadAction<{ conversationId: string; clientId: string }>) => {
      const conversation = state.conversations[action.payload.conversationId];
      if (conversation) conversation.pending = pendingAdapter.removeOne(conversation.pending, action.payload.clientId);
    },
    messageResendRequested: (state, action: PayloadAction<{ conversationId: string; clientId: string }>) => {
      const pending = state.conversations[action.payload.conversationId]?.pending.entities[action.payload.clientId];
      if (pending) {
        pending.status = "pending";
        pending.failure = null;
      }
    },
    messageAcked: (state, action: PayloadAction<Message>) => {
      const conversation = state.conversations[action.payload.conversationId];
      if (conversation) storeConfirmed(conversation, [action.payload]);
    },
    /** Over the send rate limit: still pending and retried after the wait, which is shown meanwhile. */
    messageSendThrottled: (
      state,
      action: PayloadAction<{ conversationId: string; clientId: string; failure: SendFailure }>,
    ) => {
      const pending = state.conversations[action.payload.conversationId]?.pending.entities[action.payload.clientId];
      if (pending?.status === "pending") pending.failure = action.payload.failure;
    },
    messageSendFailed: (
      state,
      action: PayloadAction<{ conversationId: string; clientId: string; failure: SendFailure }>,
    ) => {
      // Already gone when the broadcast confirmed it before the ack timed out: the failure is moot.
      const pending = state.conversations[action.payload.conversationId]?.pending.entities[action.payload.clientId];
      if (pending) {
        pending.status = "failed";
        pending.failure = action.payload.failure;
      }
    },
    messageReceived: (state, action: PayloadAction<Message>) => {
      // A conversation that is not open yet loads its history when it is joined; storing a lone
      // message now would make it look like the start of its history.
      const message = action.payload;
      const conversation = state.conversations[message.conversationId];
      if (!conversation) return;
      storeConfirmed(conversation, [message]);
      if (message.senderId === conversation.peerId) conversation.peerTypingUntil = null;
      delete conversation.typingUntil[message.senderId];
      // Live messages are newer than the joined group; catch-up pages are not, and leave it alone.
      if (conversation.group !== null) applySystemEvent(conversation.group, message);
    },
    messageUpdated: (state, action: PayloadAction<Message>) => {
      const conversation = state.conversations[action.payload.conversationId];
      if (conversation) storeChanges(conversation, [action.payload]);
    },
    /** A page of the changes the join could not carry (GET …/changes). */
    changesLoaded: (state, action: PayloadAction<{ conversationId: string; messages: Message[] }>) => {
      const conversation = state.conversations[action.payload.conversationId];
      if (conversation) storeChanges(conversation, action.payload.messages);
    },
    /** Every change up to `rev` (the join's) is applied: the next rejoin asks only for later ones. */
    changesCaughtUp: (state, action: PayloadAction<{ conversationId: string; rev: number }>) => {
      const conversation = state.conversations[action.payload.conversationId];
      if (conversation) markSynced(conversation, action.payload.rev);
    },
    olderMessagesLoaded: (
      state,
      action: PayloadAction<{ conversationId: string; messages: Message[]; hasMore: boolean }>,
    ) => {
      const conversation = state.conversations[action.payload.conversationId];
      if (!conversation) return;
      storeConfirmed(conversation, action.payload.messages);
      conversation.hasOlder = action.payload.hasMore;
    },
    /** Catch-up beyond what the join could carry. */
    missedMessagesLoaded: (state, action: PayloadAction<{ conversationId: string; messages: Message[] }>) => {
      const conversation = state.conversations[action.payload.conversationId];
      if (conversation) storeConfirmed(conversation, action.payload.messages);
    },
    receiptReceived: (state, action: PayloadAction<ReceiptEvent>) => {
      const { conversationId, userId, deliveredSeq, readSeq } = action.payload;
      const conversation = state.conversations[conversationId];
      if (!conversation) return;
      // Watermarks only move forward, whatever order the events arrive in.
      if (conversation.group !== null) {
        // Mine included: my own member entry is my read watermark in a group (selectReadSeq).
        const member = conversation.group.members.find((candidate) => candidate.user.id === userId);
        if (!member) return;
        member.deliveredSeq = Math.max(member.deliveredSeq, deliveredSeq);
        member.readSeq = Math.max(member.readSeq, readSeq);
      } else if (userId === conversation.peerId) {
        conversation.peerDeliveredSeq = Math.max(conversation.peerDeliveredSeq, deliveredSeq);
        conversation.peerReadSeq = Math.max(conversation.peerReadSeq, readSeq);
      } else {
        conversation.readSeq = Math.max(conversation.readSeq, readSeq);
      }
    },
    typingReceived: {
      reducer: (state, action: PayloadAction<TypingEvent & { receivedAt: number }>) => {
        const { conversationId, userId, typing, receivedAt } = action.payload;
        const conversation = state.conversations[conversationId];
        if (!conversation) return;
        const until = receivedAt + LIMITS.typingExpiryMs;
        if (conversation.group !== null) {
          if (typing) conversation.typingUntil[userId] = until;
          else delete conversation.typingUntil[userId];
        } else if (userId === conversation.peerId) {
          conversation.peerTypingUntil = typing ? until : null;
        }
      },
      prepare: (event: TypingEvent) => ({ payload: { ...event, receivedAt: Date.now() } }),
    },
    /** The expiry timer of a `typing: true` fired; a renewal received since then keeps it. */
    typingExpired: (state, action: PayloadAction<{ conversationId: string; at: number }>) => {
      const conversation = state.conversations[action.payload.conversationId];
      if (!conversation) return;
      if (conversation.peerTypingUntil !== null && conversation.peerTypingUntil <= action.payload.at) {
        conversation.peerTypingUntil = null;
      }
      for (const [userId, until] of Object.entries(conversation.typingUntil)) {
        if (until <= action.payload.at) delete conversation.typingUntil[userId];
      }
    },
  },
  extraReducers: (builder) => {
    builder.addCase(signedOut, () => initialState);
    // A peer who went away types no more.
    builder.addCase(presenceReceived, (state, action) => {
      if (action.payload.online) return;
      for (const conversation of Object.values(state.conversations)) {
        if (conversation.peerId === action.payload.userId) conversation.peerTypingUntil = null;
        delete conversation.typingUntil[action.payload.userId];
      }
    });
  },
});

export const {
  conversationOpened,
  conversationJoined,
  conversationJoinFailed,
  conversationRejoinRequested,
  groupLoaded,
  messageSendRequested,
  outboxRestored,
  messageDiscarded,
  messageResendRequested,
  messageAcked,
  messageSendFailed,
  messageSendThrottled,
  messageReceived,
  messageUpdated,
  changesLoaded,
  changesCaughtUp,
  olderMessagesLoaded,
  missedMessagesLoaded,
  receiptReceived,
  typingReceived,
  typingExpired,
} = chatSlice.actions;
