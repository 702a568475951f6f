import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import {
  isGroupConversation,
  peerOf,
  type ConversationPageResponse,
  type ConversationSettings,
  type ConversationSummary,
  type GroupSummary,
  type Message,
  type User,
} from "../../../../shared/protocol";
import { signedIn, signedOut, sessionVerified } from "../auth/authSlice";
import { connectionStatusChanged } from "../connection/connectionSlice";
import { conversationJoined, messageAcked, messageReceived, messageUpdated, receiptReceived } from "../chat/chatSlice";
import { laterVersion } from "../chat/reconcile";
import { endsMembership } from "../chat/groupEvents";
import { assertNever } from "../../lib/assertNever";

/** One line of the conversation list, kept live by the events of the chat route's socket. */
export type ConversationEntry = {
  conversationId: string;
  /** The peer of a one-to-one conversation; null in a group. */
  peerId: string | null;
  /** Null while the peer of a conversation first seen through a live message is being fetched. */
  peer: User | null;
  /** A group's line: its name, size and my role; null in a DM, and until a group first seen live is listed. */
  group: GroupSummary["group"] | null;
  lastMessage: Message | null;
  /** My read watermark; only moves forward. */
  readSeq: number;
  /**
   * Peer messages after readSeq as last counted: by the server, then one per
   * live arrival. An upper bound that selectors clamp by the watermark, so a
   * read anywhere (another tab included) clears it without a recount.
   */
  unreadCount: number;
  /** Of those, the ones mentioning me: counted like unreadCount, and never more than it. */
  mentionCount: number;
  notify: ConversationSettings["notify"];
  mutedUntil: string | null;
};

export type ConversationsState = {
  /** Who "me" is, to tell incoming from outgoing messages of conversations not yet listed. */
  selfId: string | null;
  entries: Record<string, ConversationEntry>;
  /**
   * The cursor of the list's next page; null once the last page is held; undefined until the first page
   * of this connection answers (while away, what a deeper cursor passed over may have changed).
   */
  nextBefore: string | null | undefined;
};

const initialState: ConversationsState = { selfId: null, entries: {}, nextBefore: undefined };

function lastSeqOf(entry: ConversationEntry): number {
  return entry.lastMessage?.seq ?? 0;
}

function fromSummary(summary: ConversationSummary): ConversationEntry {
  const { conversationId, lastMessage, readSeq, unreadCount, mentionCount, notify, mutedUntil } = summary;
  const line = { conversationId, lastMessage, readSeq, unreadCount, mentionCount, notify, mutedUntil };
  return summary.kind === "dm"
    ? { ...line, peerId: summary.peer.id, peer: summary.peer, group: null }
    : { ...line, peerId: null, peer: null, group: summary.group };
}

/** Keeps a group's line in step with its live system messages (the next list fetch brings the same). */
function noteGroupChange(entry: ConversationEntry, message: Message, selfId: string): void {
  const event = message.system;
  if (entry.group === null || event === null) return;
  switch (event.action) {
    case "renamed":
      if (event.name !== undefined) entry.group.name = event.name;
      break;
    case "added":
      entry.group.memberCount += event.userIds.length;
      break;
    case "removed":
    case "left":
      entry.group.memberCount -= event.userIds.length;
      break;
    case "role":
      if (event.role !== undefined && event.userIds.includes(selfId)) entry.group.role = event.role;
      break;
    case "created":
      break;
    default:
      assertNever(event.action);
  }
}

/** Folds one stored message into its line; older or repeated ones (catch-up, duplicates) change nothing. */
function noteMessage(state: ConversationsState, message: Message): void {
  const selfId = state.selfId;
  if (selfId === null) return;
  // A former member sees nothing more of the group: it leaves the list with its last event.
  if (endsMembership(message, selfId)) {
    delete state.entries[message.conversationId];
    return;
  }
  const group = isGroupConversation(message.conversationId);
  const entry = (state.entries[message.conversationId] ??= {
    conversationId: message.conversationId,
    peerId: group ? null : peerOf(message.conversationId, selfId),
    peer: null,
    group: null,
    lastMessage: null,
    readSeq: 0,
    unreadCount: 0,
    mentionCount: 0,
    notify: "all",
    mutedUntil: null,
  });
  if (message.seq <= lastSeqOf(entry)) return;
  entry.lastMessage = message;
  noteGroupChange(entry, message, selfId);
  // System messages are notes, not news: they never count as unread (v2 §6).
  if (message.kind === "text" && message.senderId !== selfId && message.seq > entry.readSeq) {
    entry.unreadCount += 1;
    if (message.mentions.includes(selfId)) entry.mentionCount += 1;
  }
}

/** Folds listed conversations in: a snapshot older than what live events brought loses nothing. */
function noteSummaries(state: ConversationsState, summaries: ConversationSummary[]): void {
  for (const summary of summaries) {
    const held = state.entries[summary.conversationId];
    const loaded = fromSummary(summary);
    const heldSeq = held ? lastSeqOf(held) : 0;
    if (!held || lastSeqOf(loaded) >= heldSeq) {
      state.entries[summary.conversationId] = {
        ...loaded,
        readSeq: Math.max(loaded.readSeq, held?.readSeq ?? 0),
      };
      continue;
    }
    // Live messages overtook the request: keep them, and count the ones the snapshot did not see.
    held.peer = loaded.peer;
    held.group ??= loaded.group;
    held.readSeq = Math.max(held.readSeq, loaded.readSeq);
    held.unreadCount = loaded.unreadCount + (heldSeq - lastSeqOf(loaded));
    // Which of the live ones mention me is not known here: the larger count stays an upper bound.
    held.mentionCount = Math.max(held.mentionCount, loaded.mentionCount);
  }
}

export const conversationsSlice = createSlice({
  name: "conversations",
  initialState,
  reducers: {
    peerLoaded: (state, action: PayloadAction<User>) => {
      for (const entry of Object.values(state.entries)) {
        if (entry.peerId === action.payload.id) entry.peer = action.payload;
      }
    },
    /** This tab showed the conversation up to readSeq; the server's receipt confirms it later. */
    readReceiptSent: (state, action: PayloadAction<{ conversationId: string; readSeq: number }>) => {
      const entry = state.entries[action.payload.conversationId];
      if (entry) entry.readSeq = Math.max(entry.readSeq, action.payload.readSeq);
    },
    /** The user changed a conversation's notification settings, in this tab or another. */
    conversationSettingsReceived: (state, action: PayloadAction<ConversationSettings>) => {
      const entry = state.entries[action.payload.conversationId];
      if (!entry) return;
      entry.notify = action.payload.notify;
      entry.mutedUntil = action.payload.mutedUntil;
    },
    /** The list's first page as the server answered it; the live events keep folding in whenever it arrives. */
    conversationsListed: (state, action: PayloadAction<ConversationPageResponse>) => {
      noteSummaries(state, action.payload.conversations);
      // A later first page (asked for a conversation first seen live) leaves a deeper walk where it is.
      if (state.nextBefore === undefined) state.nextBefore = action.payload.nextBefore;
    },
    /** The page after `before`; it moves the walk on only if it is the page the walk was waiting for. */
    olderConversationsListed: (state, action: PayloadAction<{ before: string; page: ConversationPageResponse }>) => {
      const { before, page } = action.payload;
      noteSummaries(state, page.conversations);
      if (state.nextBefore === before) state.nextBefore = page.nextBefore;
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(signedIn, (_state, action) => ({ ...initialState, selfId: action.payload.user.id }))
      .addCase(sessionVerified, (_state, action) => ({ ...initialState, selfId: action.payload.id }))
      .addCase(signedOut, () => initialState)
      // Reconnected: the walk starts again from the top (the first page fetched on connect).
      .addCase(connectionStatusChanged, (state, action) => {
        if (action.payload === "connected") state.nextBefore = undefined;
      })
      .addCase(messageReceived, (state, action) => noteMessage(state, action.payload))
      .addCase(messageAcked, (state, action) => noteMessage(state, action.payload))
      .addCase(messageUpdated, (state, action) => {
        const entry = state.entries[action.payload.conversationId];
        if (entry?.lastMessage?.id === action.payload.id) {
          entry.lastMessage = laterVersion(entry.lastMessage, action.payload);
        }
      })
      .addCase(conversationJoined, (state, action) => {
        const { result } = action.payload;
        for (const message of result.messages) noteMessage(state, message);
        const entry = state.entries[result.conversationId];
        if (!entry) return;
        entry.readSeq = Math.max(entry.readSeq, result.readSeq);
        if ("peer" in result) {
          entry.peer = result.peer;
          return;
        }
        const { id, name, members } = result.group;
        const role = members.find((member) => member.user.id === state.selfId)?.role;
        if (role !== undefined) entry.group = { id, name, memberCount: members.length, role };
      })
      .addCase(receiptReceived, (state, action) => {
        const { conversationId, userId, readSeq } = action.payload;
        const entry = state.entries[conversationId];
        // My own receipt, from this tab or another: reading anywhere clears unread everywhere.
        if (entry && userId === state.selfId) entry.readSeq = Math.max(entry.readSeq, readSeq);
      });
  },
});

export const {
  conversationSettingsReceived,
  conversationsListed,
  olderConversationsListed,
  peerLoaded,
  readReceiptSent,
} = conversationsSlice.actions;
