import type { ConversationTotals, DmSummary, GroupSummary, Message, NotifyLevel } from "../../../shared/protocol";
import type { GroupStore } from "./group-store";

/** A user as stored; `online` is not stored, presence adds it. */
export type UserRecord = {
  id: string;
  username: string;
  displayName: string;
  createdAt: string;
  lastSeenAt: string | null;
};

/** A user as another user sees them. */
export type PeerRecord = Omit<UserRecord, "createdAt">;

export type Watermarks = { deliveredSeq: number; readSeq: number };
/** A member's watermarks after a receipt, and whether it moved one. */
export type AdvancedWatermarks = Watermarks & { changed: boolean };

export type ConversationState = {
  lastSeq: number;
  rev: number;
  mine: Watermarks;
  peer: Watermarks;
};

/** Where a conversation stands in the list: by its last message's time, newest first, then by id. */
export type ListPosition = { lastMessageAt: string; conversationId: string };

export type ConversationSummaryRecord =
  | (Omit<DmSummary, "peer" | "lastMessage"> & {
      /** What the list shows of the peer. */
      peer: PeerRecord;
      lastMessage: Message;
    })
  | (Omit<GroupSummary, "lastMessage"> & { lastMessage: Message });

/** A user's notification settings of a conversation as stored (v2 §9): a mute may have ended since. */
export type StoredSettings = { notify: NotifyLevel; mutedUntil: string | null };

/**
 * Without a cursor: the newest `limit`; with `beforeSeq` the newest older ones; with `afterSeq` the oldest newer
 * ones. Only seqs from `fromSeq` (1 when absent): a group member's visibleFromSeq.
 */
export type MessagePage = { beforeSeq?: number; afterSeq?: number; limit: number; fromSeq?: number };

export type NewMessage = {
  id: string;
  conversationId: string;
  userA: string;
  userB: string;
  senderId: string;
  clientId: string;
  body: string;
  createdAt: string;
  /** A visible, undeleted message of the same conversation (the send checked it). */
  replyToId?: string | undefined;
};

export type AppendResult = { message: Message; created: boolean };

/** One user's emoji on a message; `at` orders it among the message's reactions. */
export type ReactionChange = { userId: string; emoji: string; at: string };
export type ReactionLimits = { maxDistinct: number; maxPerUser: number };
/**
 * What a reaction change did: stored (with the message as it now is), nothing to do (the reaction was
 * there already, or was not), the message is deleted, or a limit refused it. Only "changed" moved the rev.
 */
export type ReactionOutcome =
  | { result: "changed"; message: Message }
  | { result: "unchanged" }
  | { result: "deleted" }
  | { result: "limit"; limit: keyof ReactionLimits };

/**
 * Everything the handlers and routes need from storage. Implementations keep
 * seq assignment and idempotency inside one transaction.
 */
export interface Store extends GroupStore {
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Returns null when the username is taken. */
  createUser(user: UserRecord & { passwordHash: string }): Promise<UserRecord | null>;
  findUserById(id: string): Promise<UserRecord | undefined>;
  findCredentials(username: string): Promise<{ user: UserRecord; passwordHash: string } | undefined>;
  /** Users whose username or display name starts with `prefix` (case-insensitive), by username. */
  searchUsers(query: { prefix: string; excludeId: string; limit: number }): Promise<UserRecord[]>;
  setLastSeen(userId: string, at: string): Promise<void>;

  createSession(session: { tokenHash: string; userId: string; createdAt: string; expiresAt: string }): Promise<void>;
  /** An unexpired session: its user and when it expires. */
  findSession(tokenHash: string, now: string): Promise<{ user: UserRecord; expiresAt: string } | undefined>;
  /** Moves a session's expiry (sliding expiry). */
  renewSession(tokenHash: string, expiresAt: string): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Deletes every session of the user, except the one named by `exceptTokenHash`. */
  deleteUserSessions(userId: string, exceptTokenHash?: string): Promise<void>;
  /** Deletes sessions that expired at or before `now`; returns how many. */
  deleteExpiredSessions(now: string): Promise<number>;
  setPasswordHash(userId: string, passwordHash: string): Promise<void>;

  /** Conversations of `userId` with at least one message, newest activity first. */
  listConversations(userId: string): Promise<ConversationSummaryRecord[]>;
  /**
   * At most `limit` of them in the same order, from the top or after `before`; `next` is the last one's
   * position when more follow. Pages walked from the top skip none of the conversations that kept their
   * position meanwhile; one that moved (new activity) lands above the walk, where its message was broadcast.
   */
  listConversationPage(
    userId: string,
    page: { before?: ListPosition | undefined; limit: number },
  ): Promise<{ conversations: ConversationSummaryRecord[]; next: ListPosition | null }>;
  /**
   * Σ unread over all of the user's conversations, and the badge: each one's unread, mentions or nothing
   * by its notify level, nothing while muted (its mute ends after `now`).
   */
  conversationTotals(userId: string, now: string): Promise<ConversationTotals>;
  /** Changes the given fields of the user's settings of a conversation (default: all, not muted); returns them all. */
  updateConversationSettings(
    userId: string,
    conversationId: string,
    changes: Partial<StoredSettings>,
  ): Promise<StoredSettings>;
  /** Everyone `userId` has a one-to-one conversation with. */
  listPeerIds(userId: string): Promise<string[]>;
  /** Zeros when the conversation has no message yet. */
  getConversationState(conversationId: string, userId: string, peerId: string): Promise<ConversationState>;

  /** A page of at most `limit` messages and LIMITS.pageMaxBodyBytes of bodies. */
  listMessages(conversationId: string, page: MessagePage): Promise<{ messages: Message[]; hasMore: boolean }>;
  /** The same page as JSON text (a HistoryResponse), what GET …/messages sends. */
  listMessagesJson(conversationId: string, page: MessagePage): Promise<string>;
  /** Messages with rev > sinceRev (and seq <= uptoSeq), ascending by rev, capped like a page; and the current rev. */
  listChanges(
    conversationId: string,
    query: { sinceRev: number; uptoSeq?: number; limit: number; fromSeq?: number },
  ): Promise<{ messages: Message[]; rev: number; hasMore: boolean }>;
  findMessageById(id: string): Promise<Message | undefined>;
  findMessageByClientId(senderId: string, clientId: string): Promise<Message | undefined>;
  /**
   * Appends a batch in one transaction, each message with its conversation's
   * next seq, in batch order. An existing (senderId, clientId), or one that
   * repeats earlier in the batch, gets the stored message back instead.
   * Results are in batch order.
   */
  appendMessages(batch: NewMessage[]): Promise<AppendResult[]>;
  /**
   * Applies an edit or a delete with the conversation's next rev, unless the
   * message is already deleted: then nothing changes and the result is null.
   * A delete clears the message's reactions too.
   */
  updateMessage(
    message: { id: string; conversationId: string },
    changes: { body: string; editedAt?: string; deletedAt?: string },
  ): Promise<Message | null>;
  /**
   * Adds a reaction with the conversation's next rev and rewrites the message's reactions, within the
   * limits; concurrent adds of one reaction store it once. A system message is the caller's to refuse.
   */
  addReaction(
    message: { id: string; conversationId: string },
    reaction: ReactionChange,
    limits: ReactionLimits,
  ): Promise<ReactionOutcome>;
  /** Removes a reaction with the conversation's next rev and rewrites the message's reactions. */
  removeReaction(
    message: { id: string; conversationId: string },
    reaction: Omit<ReactionChange, "at">,
  ): Promise<ReactionOutcome>;
  /** Moves watermarks forward only, clamped to the conversation's last seq; reading implies delivery. */
  advanceWatermarks(
    conversationId: string,
    userId: string,
    requested: Partial<Watermarks>,
  ): Promise<AdvancedWatermarks>;
}
