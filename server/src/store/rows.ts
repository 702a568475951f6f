import type { Selectable } from "kysely";
import { isGroupConversation, peerOf } from "../../../shared/protocol";
import type { Message, Reaction, ReplyQuote } from "../../../shared/protocol";
import type { MessageMentionsTable, MessagesTable, UsersTable } from "./schema";
import type { NewMessage, UserRecord } from "./types";

/** The one place a stored user row becomes a domain record. */
export function toUserRecord(
  row: Pick<Selectable<UsersTable>, "id" | "username" | "display_name" | "created_at" | "last_seen_at">,
): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
  };
}

/**
 * The row a new message is stored as, once its conversation has given it a seq, a rev and its sender's
 * ordinal, and its members who it mentions.
 */
export function newMessageRow(
  m: Omit<NewMessage, "userA" | "userB">,
  numbers: { seq: number; rev: number; ordinal: number },
  mentions: string[],
): Selectable<MessagesTable> {
  return {
    id: m.id,
    conversation_id: m.conversationId,
    seq: numbers.seq,
    sender_id: m.senderId,
    client_id: m.clientId,
    body: m.body,
    created_at: m.createdAt,
    edited_at: null,
    deleted_at: null,
    rev: numbers.rev,
    sender_ordinal: numbers.ordinal,
    kind: "text",
    reply_to_id: m.replyToId ?? null,
    mentions: JSON.stringify(mentions),
    reactions: "[]",
    system: null,
  };
}

export type MessageRow = Omit<Selectable<MessagesTable>, "sender_ordinal">;

/** A reply's parent as read beside it (kysely-store's REPLY_COLUMNS): all null without a parent. */
export type ReplyColumns = {
  reply_seq: number | null;
  reply_sender_id: string | null;
  /** The parent's body cut to LIMITS.replyExcerptCodePoints by the database. */
  reply_excerpt: string | null;
  reply_deleted_at: string | null;
};

/** A reply's quote, from its parent's current row: the same for every reader, emptied once the parent is deleted. */
export function quoteOf(row: Pick<MessageRow, "reply_to_id"> & ReplyColumns): ReplyQuote | null {
  if (row.reply_to_id === null || row.reply_seq === null) return null;
  const deleted = row.reply_deleted_at !== null;
  return {
    id: row.reply_to_id,
    seq: Number(row.reply_seq),
    senderId: row.reply_sender_id!,
    excerpt: deleted ? "" : row.reply_excerpt!,
    deleted,
  };
}

/**
 * A message's message_mentions rows: everyone it mentions but its sender. They only count mentions
 * for unread badges, and one's own messages are never unread.
 */
export function mentionRows(
  row: Pick<MessageRow, "id" | "conversation_id" | "seq" | "sender_id">,
  mentions: string[],
): Selectable<MessageMentionsTable>[] {
  return mentions
    .filter((userId) => userId !== row.sender_id)
    .map((userId) => ({ message_id: row.id, conversation_id: row.conversation_id, seq: row.seq, user_id: userId }));
}

/**
 * The one place a stored message row becomes a wire Message: a DM's recipient follows from the room
 * name; a reply's quote is built from its parent's current row by the caller.
 */
export function toMessage(row: MessageRow, replyTo: ReplyQuote | null = null): Message {
  const system = row.kind === "system";
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: Number(row.seq),
    senderId: row.sender_id,
    recipientId: isGroupConversation(row.conversation_id) ? null : peerOf(row.conversation_id, row.sender_id),
    // A system message's stored client id only keeps the (sender, client id) key unique.
    clientId: system ? "" : row.client_id,
    body: row.body,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
    rev: Number(row.rev),
    kind: row.kind,
    replyTo,
    attachments: [],
    reactions: JSON.parse(row.reactions) as Message["reactions"],
    mentions: JSON.parse(row.mentions) as string[],
    system: row.system === null ? null : (JSON.parse(row.system) as Message["system"]),
  };
}

/** A message's reactions from its message_reactions rows in reaction order: each emoji where it first appears. */
export function toReactions(rows: { user_id: string; emoji: string }[]): Reaction[] {
  const byEmoji = new Map<string, string[]>();
  for (const { user_id, emoji } of rows) byEmoji.set(emoji, [...(byEmoji.get(emoji) ?? []), user_id]);
  return [...byEmoji].map(([emoji, userIds]) => ({ emoji, userIds }));
}

/**
 * The longest prefix of `messages` whose bodies stay within `maxBytes` of UTF-8 (at least one
 * message), so one page never holds more than a bounded amount.
 */
export function capByBodyBytes<T extends { body: string }>(messages: T[], maxBytes: number): T[] {
  let bytes = 0;
  for (let i = 0; i < messages.length; i++) {
    bytes += Buffer.byteLength(messages[i]!.body, "utf8");
    if (bytes > maxBytes && i > 0) return messages.slice(0, i);
  }
  return messages;
}

/**
 * An error the database raised about the data of a row it was given (a constraint, a value it cannot
 * store): SQLite's constraint, size and type errors, PostgreSQL's SQLSTATE classes 22 and 23. A batch
 * without that row would not meet it, unlike a lost connection or a full disk.
 */
export function isRowError(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error) || typeof error.code !== "string") {
    return false;
  }
  const { code } = error;
  return (
    code.startsWith("SQLITE_CONSTRAINT") ||
    code === "SQLITE_TOOBIG" ||
    code === "SQLITE_MISMATCH" ||
    /^2[23][0-9A-Z]{3}$/.test(code)
  );
}

/** A unique-constraint violation in SQLite or PostgreSQL (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  return (
    error.code === "SQLITE_CONSTRAINT_UNIQUE" || error.code === "SQLITE_CONSTRAINT_PRIMARYKEY" || error.code === "23505"
  );
}

/**
 * Writes a batch of sends, again while it fails on a unique key: one of its clientIds was committed
 * meanwhile by a transaction outside its lookup (another node's; a unique violation waits for that
 * commit), and the next attempt's lookup finds it. Each failure settles at least one clientId, so the
 * batch's size bounds the attempts.
 */
export async function retryingUniqueViolations<T>(batchSize: number, write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isUniqueViolation(error) || attempt > batchSize) throw error;
    }
  }
}
