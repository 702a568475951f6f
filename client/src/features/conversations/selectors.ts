import { createSelector } from "@reduxjs/toolkit";
import type { RootState } from "../../app/store";
import { notifyLevelOf } from "../../lib/notifyLevel";
import type { ConversationEntry } from "./conversationsSlice";

/** Unread = peer messages after my read watermark; never more than the seqs after it. */
function unreadCountOf(entry: ConversationEntry): number {
  const afterWatermark = (entry.lastMessage?.seq ?? 0) - entry.readSeq;
  return Math.max(0, Math.min(entry.unreadCount, afterWatermark));
}

/** A line ready to show: a DM with its peer loaded, or a group with its summary. */
export type ListedConversation = ConversationEntry & { unread: number } & (
    | { peer: NonNullable<ConversationEntry["peer"]>; group: null }
    | { peer: null; group: NonNullable<ConversationEntry["group"]> }
  );

function listed(entry: ConversationEntry): ListedConversation[] {
  if (entry.lastMessage === null) return [];
  const unread = unreadCountOf(entry);
  if (entry.peer !== null) return [{ ...entry, peer: entry.peer, group: null, unread }];
  if (entry.group !== null) return [{ ...entry, peer: null, group: entry.group, unread }];
  return [];
}

/** What the conversation adds to the badge and the title: its unread, its unread mentions, or nothing. */
export function badgeCountOf(entry: ConversationEntry, now: number): number {
  const unread = unreadCountOf(entry);
  switch (notifyLevelOf(entry, now)) {
    case "all":
      return unread;
    case "mentions":
      return Math.min(entry.mentionCount, unread);
    case "none":
      return 0;
  }
}

const selectEntries = (state: RootState) => state.conversations.entries;

export const selectConversationEntry = (state: RootState, conversationId: string) =>
  state.conversations.entries[conversationId];

/** The cursor of the list's next page; null once every page is held, undefined before the first answers. */
export const selectListNextBefore = (state: RootState) => state.conversations.nextBefore;

/** Conversations with a message and a known peer or group, newest activity first. */
export const selectConversationList = createSelector([selectEntries], (entries): ListedConversation[] =>
  Object.values(entries)
    .flatMap(listed)
    .sort((a, b) => (b.lastMessage?.createdAt ?? "").localeCompare(a.lastMessage?.createdAt ?? "")),
);

/** Σ of the conversations' badge counts at `now`, which decides who is muted. */
export const selectBadgeTotal = createSelector(
  [selectEntries, (_state: RootState, now: number) => now],
  (entries, now) => Object.values(entries).reduce((total, entry) => total + badgeCountOf(entry, now), 0),
);

/** The tab title: "(N) Parley" while N messages count for the badge. */
export function titleFor(unreadTotal: number): string {
  return unreadTotal > 0 ? `(${unreadTotal}) Parley` : "Parley";
}
