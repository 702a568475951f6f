import { createSelector } from "@reduxjs/toolkit";
import type { RootState } from "../../app/store";
import type { ConversationEntry } from "./conversationsSlice";

/** Unread = peer messages after my read watermark; never more than the seqs after it. */
export function unreadCountOf(entry: ConversationEntry): number {
  const afterWatermark = (entry.lastMessage?.seq ?? 0) - entry.readSeq;
  return Math.max(0, Math.min(entry.unreadCount, afterWatermark));
}

export type ListedConversation = ConversationEntry & { peer: NonNullable<ConversationEntry["peer"]>; unread: number };

const selectEntries = (state: RootState) => state.conversations.entries;

export const selectConversationEntry = (state: RootState, conversationId: string) =>
  state.conversations.entries[conversationId];

/** The cursor of the list's next page; null once every page is held, undefined before the first answers. */
export const selectListNextBefore = (state: RootState) => state.conversations.nextBefore;

/** Conversations with a message and a known peer, newest activity first. */
export const selectConversationList = createSelector([selectEntries], (entries): ListedConversation[] =>
  Object.values(entries)
    .flatMap((entry) =>
      entry.peer !== null && entry.lastMessage !== null
        ? [{ ...entry, peer: entry.peer, unread: unreadCountOf(entry) }]
        : [],
    )
    .sort((a, b) => (b.lastMessage?.createdAt ?? "").localeCompare(a.lastMessage?.createdAt ?? "")),
);

export const selectUnreadTotal = createSelector([selectEntries], (entries) =>
  Object.values(entries).reduce((total, entry) => total + unreadCountOf(entry), 0),
);

/** The tab title: "(N) Parley" while N messages are unread. */
export function titleFor(unreadTotal: number): string {
  return unreadTotal > 0 ? `(${unreadTotal}) Parley` : "Parley";
}
