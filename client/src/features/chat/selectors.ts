import { createSelector } from "@reduxjs/toolkit";
import type { Message } from "../../../../shared/protocol";
import type { RootState } from "../../app/store";
import { messagesAdapter, pendingAdapter, type PendingMessage } from "./chatSlice";
import { gapStart, highestContiguousSeq } from "./reconcile";

export type TimelineItem = { kind: "confirmed"; message: Message } | { kind: "pending"; message: PendingMessage };

const confirmedSelectors = messagesAdapter.getSelectors();
const pendingSelectors = pendingAdapter.getSelectors();
const NO_MESSAGES: Message[] = [];
const NO_PENDING: PendingMessage[] = [];

const selectConversation = (state: RootState, conversationId: string) => state.chat.conversations[conversationId];

export const selectConfirmedMessages = createSelector([selectConversation], (conversation) =>
  conversation ? confirmedSelectors.selectAll(conversation.messages) : NO_MESSAGES,
);

const selectPendingMessages = createSelector([selectConversation], (conversation) =>
  conversation ? pendingSelectors.selectAll(conversation.pending) : NO_PENDING,
);

// One item per stored message object, so an unchanged message keeps its item and its memoized row skips
// rendering; a changed message is a new object (immer), hence a new item. Weak: dropped messages are freed.
const confirmedItems = new WeakMap<Message, TimelineItem>();
const pendingItems = new WeakMap<PendingMessage, TimelineItem>();

function itemOf<M extends Message | PendingMessage>(
  cache: WeakMap<M, TimelineItem>,
  message: M,
  make: (message: M) => TimelineItem,
): TimelineItem {
  let item = cache.get(message);
  if (item === undefined) {
    item = make(message);
    cache.set(message, item);
  }
  return item;
}

/** What the list shows: confirmed messages by seq, then unconfirmed ones in send order (they have no seq yet). */
export const selectTimeline = createSelector(
  [selectConfirmedMessages, selectPendingMessages],
  (confirmed, pending): TimelineItem[] => [
    ...confirmed.map((message) => itemOf(confirmedItems, message, (m) => ({ kind: "confirmed", message: m }))),
    ...pending.map((message) => itemOf(pendingItems, message, (m) => ({ kind: "pending", message: m }))),
  ],
);

/** The afterSeq to rejoin with; undefined when nothing is held. */
export const selectHighestContiguousSeq = createSelector([selectConfirmedMessages], (messages) =>
  highestContiguousSeq(messages.map((message) => message.seq)),
);

/** The seq to fetch after when a live message skipped some; undefined when nothing is missing. */
export const selectGapStart = createSelector([selectConfirmedMessages], (messages) =>
  gapStart(messages.map((message) => message.seq)),
);

export const selectNewestSeq = createSelector([selectConfirmedMessages], (messages) => messages.at(-1)?.seq ?? 0);

/** The newest stored message: what a live arrival announces. */
export const selectNewestMessage = createSelector([selectConfirmedMessages], (messages) => messages.at(-1));

export const selectOldestSeq = createSelector([selectConfirmedMessages], (messages) => messages[0]?.seq);

export const selectHasOlder = (state: RootState, conversationId: string) =>
  selectConversation(state, conversationId)?.hasOlder ?? false;

export const selectHistoryLoaded = (state: RootState, conversationId: string) =>
  selectConversation(state, conversationId)?.historyLoaded ?? false;

export const selectJoinError = (state: RootState, conversationId: string) =>
  selectConversation(state, conversationId)?.joinError ?? null;

/** The sinceRev to rejoin with; null before the first complete catch-up. */
export const selectSyncedRev = (state: RootState, conversationId: string) =>
  selectConversation(state, conversationId)?.syncedRev ?? null;

/** My read watermark; in a group my member entry carries the receipts since the join. */
export const selectReadSeq = (state: RootState, conversationId: string) => {
  const conversation = selectConversation(state, conversationId);
  if (!conversation) return 0;
  const selfId = state.auth.user?.id;
  const mine = conversation.group?.members.find((member) => member.user.id === selfId);
  return Math.max(conversation.readSeq, mine?.readSeq ?? 0);
};

/** The group of a group conversation, as last joined and patched live; null in a DM or before the join. */
export const selectGroup = (state: RootState, conversationId: string) =>
  selectConversation(state, conversationId)?.group ?? null;

const NO_TYPISTS: string[] = [];

/** Who is typing in a group, in the order they started; expired ones are dropped by typingExpired. */
export const selectTypists = createSelector([selectConversation], (conversation) => {
  const typists = Object.keys(conversation?.typingUntil ?? {});
  return typists.length === 0 ? NO_TYPISTS : typists;
});

/** The outbox: sends still to be made, in send order; failed ones wait for the user's Retry. */
export const selectSendQueue = createSelector([selectPendingMessages], (pending) =>
  pending.filter((message) => message.status === "pending"),
);

export type DeliveryState = "sent" | "delivered" | "read";

/** How far the peer got with my confirmed message `seq`, from their watermarks. */
export const selectDeliveryState = (state: RootState, conversationId: string, seq: number): DeliveryState => {
  const conversation = selectConversation(state, conversationId);
  if (!conversation) return "sent";
  if (conversation.group !== null) {
    // A group's message is read (delivered) once every other member has read (received) it.
    const others = conversation.group.members.filter((member) => member.user.id !== state.auth.user?.id);
    if (others.length === 0) return "sent";
    if (others.every((member) => member.readSeq >= seq)) return "read";
    if (others.every((member) => member.deliveredSeq >= seq)) return "delivered";
    return "sent";
  }
  if (conversation.peerReadSeq >= seq) return "read";
  if (conversation.peerDeliveredSeq >= seq) return "delivered";
  return "sent";
};

export const selectPeerTypingUntil = (state: RootState, conversationId: string) =>
  selectConversation(state, conversationId)?.peerTypingUntil ?? null;

/** The ticks on one of my messages: its outbox state until stored, then how far the peer got. */
export type MessageDelivery = PendingMessage["status"] | DeliveryState;

export const selectMessageDelivery = (state: RootState, conversationId: string, item: TimelineItem): MessageDelivery =>
  item.kind === "pending" ? item.message.status : selectDeliveryState(state, conversationId, item.message.seq);
