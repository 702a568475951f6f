import { sql } from "kysely";
import type { Kysely, Selectable } from "kysely";
import { LIMITS } from "../../../shared/protocol";
import type { Message } from "../../../shared/protocol";
import { quoteOf, toMessage } from "./rows";
import type { MessageRow } from "./rows";
import type { Database, MessageMentionsTable } from "./schema";

// The queries that make stored rows into wire messages (their replies' quotes) and keep their mentions,
// shared by the one-to-one store and the group store.

/** What a wire Message is made of (toMessage). */
export const MESSAGE_COLUMNS = [
  "id",
  "conversation_id",
  "seq",
  "sender_id",
  "client_id",
  "body",
  "created_at",
  "edited_at",
  "deleted_at",
  "rev",
  "kind",
  "reply_to_id",
  "mentions",
  "reactions",
  "system",
] as const;
/** A reply's parent, joined as "parent" by its primary key: what quoteOf builds the quote from. */
export const REPLY_COLUMNS = [
  "parent.seq as reply_seq",
  "parent.sender_id as reply_sender_id",
  // Cut by the database (substr counts code points in both dialects): a reply never reads a whole parent body.
  sql<string>`substr(parent.body, 1, ${sql.lit(LIMITS.replyExcerptCodePoints)})`.as("reply_excerpt"),
  "parent.deleted_at as reply_deleted_at",
] as const;

// Rows of one insert into message_mentions at most: a batch of group messages each mentioning
// everyone would pass PostgreSQL's 65,535 parameters.
const MENTION_ROWS_PER_INSERT = 1000;

/** Messages as the wire shows them: each with its reply's parent, joined by primary key. */
export function selectMessages(db: Kysely<Database>) {
  return db
    .selectFrom("messages")
    .leftJoin("messages as parent", "parent.id", "messages.reply_to_id")
    .select(MESSAGE_COLUMNS.map((c) => `messages.${c}` as const))
    .select(REPLY_COLUMNS);
}

/** Two ids as one map key: (sender, clientId) or (conversation, member). */
export const pairKey = (first: string, second: string) => `${first}\u0000${second}`;

/** The stored messages of these (sender, clientId) pairs, by pairKey(senderId, clientId): one lookup. */
export async function storedByClientId(
  db: Kysely<Database>,
  sends: { senderId: string; clientId: string }[],
): Promise<Map<string, Message>> {
  const rows = await selectMessages(db)
    .where((eb) =>
      eb.or(
        sends.map((m) =>
          eb.and([eb("messages.sender_id", "=", m.senderId), eb("messages.client_id", "=", m.clientId)]),
        ),
      ),
    )
    .execute();
  return new Map(rows.map((row) => [pairKey(row.sender_id, row.client_id), toMessage(row, quoteOf(row))]));
}

/** Rows just written as wire messages, their replies quoting their parents as they are now (one lookup). */
export async function withQuotes(db: Kysely<Database>, rows: MessageRow[]): Promise<Message[]> {
  const parentIds = [...new Set(rows.flatMap((row) => row.reply_to_id ?? []))];
  const parents =
    parentIds.length === 0
      ? []
      : await db
          .selectFrom("messages as parent")
          .select(["parent.id", ...REPLY_COLUMNS])
          .where("parent.id", "in", parentIds)
          .execute();
  const quotes = new Map(parents.map((parent) => [parent.id, quoteOf({ reply_to_id: parent.id, ...parent })]));
  return rows.map((row) => toMessage(row, row.reply_to_id === null ? null : (quotes.get(row.reply_to_id) ?? null)));
}

/**
 * The current members of each conversation, who a message may mention: member rows that have not left,
 * so a DM's two participants (their rows come with its first message) and a group's members alike.
 */
export async function currentMembers(db: Kysely<Database>, conversationIds: string[]) {
  const members = new Map<string, { id: string; username: string }[]>();
  if (conversationIds.length === 0) return members;
  const rows = await db
    .selectFrom("conversation_members as member")
    .innerJoin("users", "users.id", "member.user_id")
    .select(["member.conversation_id", "users.id", "users.username"])
    .where("member.conversation_id", "in", conversationIds)
    .where("member.left_seq", "is", null)
    .execute();
  for (const row of rows) members.set(row.conversation_id, [...(members.get(row.conversation_id) ?? []), row]);
  return members;
}

export async function insertMentionRows(db: Kysely<Database>, rows: Selectable<MessageMentionsTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += MENTION_ROWS_PER_INSERT)
    await db
      .insertInto("message_mentions")
      .values(rows.slice(i, i + MENTION_ROWS_PER_INSERT))
      .execute();
}
