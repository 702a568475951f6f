import type SQLite from "better-sqlite3";
import type { Kysely, Selectable } from "kysely";
import { mentionedIds } from "../../../shared/mentions";
import { LIMITS } from "../../../shared/protocol";
import { mentionRows, newMessageRow, quoteOf, toMessage } from "./rows";
import { connectionFreeRunner } from "./sqlite-connection";
import type { ReplyColumns } from "./rows";
import type { Database, MessageMentionsTable, MessagesTable } from "./schema";
import type { AppendResult, NewMessage, Store } from "./types";

// A reply's parent as kysely-store's REPLY_COLUMNS reads it, from the table aliased `parent`.
const REPLY_COLUMNS = `parent.seq as reply_seq, parent.sender_id as reply_sender_id,
  substr(parent.body, 1, ${LIMITS.replyExcerptCodePoints}) as reply_excerpt, parent.deleted_at as reply_deleted_at`;

/**
 * SQLite's send path on statements prepared once. appendMessages is one
 * synchronous transaction, a few microseconds per message; each message's
 * clientId lookup sees the batch's earlier inserts, so a retry within the
 * batch gets the first one's row. Neither ever lands inside (or reads from)
 * a transaction Kysely holds open.
 */
export function createSqliteSendPath(
  sqlite: SQLite.Database,
  db: Kysely<Database>,
): Pick<Store, "appendMessages" | "findMessageByClientId"> {
  const findByClientId = sqlite.prepare<[string, string], Selectable<MessagesTable> & ReplyColumns>(
    `select messages.*, ${REPLY_COLUMNS} from messages left join messages as parent on parent.id = messages.reply_to_id
     where messages.sender_id = ? and messages.client_id = ?`,
  );
  const findParent = sqlite.prepare<[string], ReplyColumns>(
    `select ${REPLY_COLUMNS} from messages as parent where parent.id = ?`,
  );
  // The upsert takes the conversation's next seq and rev; a new conversation starts at 1.
  const bumpConversation = sqlite.prepare<[string, string, string, string], { last_seq: number; rev: number }>(
    `insert into conversations (id, user_a, user_b, last_seq, rev, last_message_at) values (?, ?, ?, 1, 1, ?)
     on conflict (id) do update set last_seq = last_seq + 1, rev = rev + 1, last_message_at = excluded.last_message_at
     returning last_seq, rev`,
  );
  const addMember = sqlite.prepare<[string, string]>(
    "insert into conversation_members (conversation_id, user_id) values (?, ?) on conflict do nothing",
  );
  const countSent = sqlite.prepare<[string, string], { sent_count: number }>(
    "update conversation_members set sent_count = sent_count + 1 where conversation_id = ? and user_id = ? returning sent_count",
  );
  // Who a message may mention, as kysely-store's currentMembers reads them.
  const currentMembers = sqlite.prepare<[string], { id: string; username: string }>(
    `select users.id, users.username from conversation_members as member join users on users.id = member.user_id
     where member.conversation_id = ? and member.left_seq is null`,
  );
  const insertMessage = sqlite.prepare<Selectable<MessagesTable>>(
    `insert into messages (id, conversation_id, seq, sender_id, client_id, body, created_at, edited_at, deleted_at, rev, sender_ordinal, reply_to_id, mentions)
     values (@id, @conversation_id, @seq, @sender_id, @client_id, @body, @created_at, @edited_at, @deleted_at, @rev, @sender_ordinal, @reply_to_id, @mentions)`,
  );
  const insertMention = sqlite.prepare<Selectable<MessageMentionsTable>>(
    `insert into message_mentions (message_id, conversation_id, seq, user_id) values (@message_id, @conversation_id, @seq, @user_id)`,
  );

  function appendOne(m: NewMessage): AppendResult {
    const stored = findByClientId.get(m.senderId, m.clientId);
    if (stored) return { message: toMessage(stored, quoteOf(stored)), created: false };
    const { last_seq: seq, rev } = bumpConversation.get(m.conversationId, m.userA, m.userB, m.createdAt)!;
    // Member rows only come with a conversation's first message.
    if (seq === 1) for (const userId of new Set([m.userA, m.userB])) addMember.run(m.conversationId, userId);
    const { sent_count: ordinal } = countSent.get(m.conversationId, m.senderId)!;
    // A body without '@' mentions nobody: no member lookup.
    const mentions = m.body.includes("@") ? mentionedIds(m.body, currentMembers.all(m.conversationId)) : [];
    const row = newMessageRow(m, { seq, rev, ordinal }, mentions);
    insertMessage.run(row);
    for (const mention of mentionRows(row, mentions)) insertMention.run(mention);
    const parent = m.replyToId === undefined ? undefined : findParent.get(m.replyToId);
    return {
      message: toMessage(row, parent ? quoteOf({ reply_to_id: row.reply_to_id, ...parent }) : null),
      created: true,
    };
  }

  const whenConnectionFree = connectionFreeRunner(sqlite, db);
  const appendAll = sqlite.transaction((batch: NewMessage[]) => batch.map(appendOne));

  return {
    appendMessages: (batch) => whenConnectionFree(() => appendAll(batch)),
    findMessageByClientId: (senderId, clientId) =>
      whenConnectionFree(() => {
        const row = findByClientId.get(senderId, clientId);
        return row && toMessage(row, quoteOf(row));
      }),
  };
}
