import type SQLite from "better-sqlite3";
import type { Kysely, Selectable } from "kysely";
import { mentionedIds } from "../../../shared/mentions";
import { LIMITS, type Message } from "../../../shared/protocol";
import { mentionRows, newMessageRow, quoteOf, toMessage } from "./rows";
import { connectionFreeRunner } from "./sqlite-connection";
import type { GroupAppendResult, NewGroupMessage } from "./group-store";
import type { ReplyColumns } from "./rows";
import type { Database, MessageMentionsTable, MessagesTable } from "./schema";
import type { AppendResult, NewMessage, Store } from "./types";

type SendPath = Pick<Store, "appendMessages" | "appendGroupMessages" | "findMessageByClientId">;

/** Rolls back (to its savepoint) a group send whose sender is not a current member of an open group. */
class NotAMember extends Error {}

// A reply's parent as kysely-store's REPLY_COLUMNS reads it, from the table aliased `parent`.
const REPLY_COLUMNS = `parent.seq as reply_seq, parent.sender_id as reply_sender_id,
  substr(parent.body, 1, ${LIMITS.replyExcerptCodePoints}) as reply_excerpt, parent.deleted_at as reply_deleted_at`;

/**
 * SQLite's send path on statements prepared once. appendMessages is one
 * synchronous transaction, a few microseconds per message; each message's
 * clientId lookup sees the batch's earlier inserts, so a retry within the
 * batch gets the first one's row. A group's batch is one such transaction too,
 * as group-store's appendGroupMessages describes it, each send in a savepoint
 * of its own so that a refused one leaves no trace. None ever lands inside
 * (or reads from) a transaction Kysely holds open.
 */
export function createSqliteSendPath(sqlite: SQLite.Database, db: Kysely<Database>): SendPath {
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
  // A group's: only an open group's conversation, only a current member's count.
  const bumpGroup = sqlite.prepare<[string, string], { last_seq: number; rev: number }>(
    `update conversations set last_seq = last_seq + 1, rev = rev + 1, last_message_at = ?
     where id = ? and kind = 'group' returning last_seq, rev`,
  );
  const countMemberSent = sqlite.prepare<[string, string], { sent_count: number }>(
    `update conversation_members set sent_count = sent_count + 1
     where conversation_id = ? and user_id = ? and left_seq is null returning sent_count`,
  );
  const currentMemberIds = sqlite
    .prepare<[string], string>(
      "select user_id from conversation_members where conversation_id = ? and left_seq is null",
    )
    .pluck();

  const storedMessage = (senderId: string, clientId: string) => {
    const row = findByClientId.get(senderId, clientId);
    return row && toMessage(row, quoteOf(row));
  };

  /** Inserts a message its conversation has numbered, with its mentions, and returns it as stored. */
  function insertNumbered(
    m: NewMessage | NewGroupMessage,
    numbers: { seq: number; rev: number; ordinal: number },
  ): Message {
    // A body without '@' mentions nobody: no member lookup.
    const mentions = m.body.includes("@") ? mentionedIds(m.body, currentMembers.all(m.conversationId)) : [];
    const row = newMessageRow(m, numbers, mentions);
    insertMessage.run(row);
    for (const mention of mentionRows(row, mentions)) insertMention.run(mention);
    const parent = m.replyToId === undefined ? undefined : findParent.get(m.replyToId);
    return toMessage(row, parent ? quoteOf({ reply_to_id: row.reply_to_id, ...parent }) : null);
  }

  function appendOne(m: NewMessage): AppendResult {
    const stored = storedMessage(m.senderId, m.clientId);
    if (stored) return { message: stored, created: false };
    const { last_seq: seq, rev } = bumpConversation.get(m.conversationId, m.userA, m.userB, m.createdAt)!;
    // Member rows only come with a conversation's first message.
    if (seq === 1) for (const userId of new Set([m.userA, m.userB])) addMember.run(m.conversationId, userId);
    const { sent_count: ordinal } = countSent.get(m.conversationId, m.senderId)!;
    return { message: insertNumbered(m, { seq, rev, ordinal }), created: true };
  }

  // Nested in appendGroupBatch's transaction, so better-sqlite3 runs it in a savepoint.
  const appendGroupOne = sqlite.transaction((m: NewGroupMessage) => {
    const stored = storedMessage(m.senderId, m.clientId);
    if (stored) return { message: stored, created: false };
    const bumped = bumpGroup.get(m.createdAt, m.conversationId);
    const sender = bumped && countMemberSent.get(m.conversationId, m.senderId);
    if (!bumped || !sender) throw new NotAMember();
    const message = insertNumbered(m, { seq: bumped.last_seq, rev: bumped.rev, ordinal: sender.sent_count });
    return { message, created: true };
  });

  const appendGroupBatch = sqlite.transaction((batch: NewGroupMessage[]): Array<GroupAppendResult | null> => {
    const results = batch.map((m) => {
      try {
        return appendGroupOne(m);
      } catch (error) {
        if (error instanceof NotAMember) return null;
        throw error;
      }
    });
    const memberIds = currentMemberIds.all(batch[0]!.conversationId);
    return results.map((result) => result && { ...result, memberIds: result.created ? memberIds : [] });
  });

  const whenConnectionFree = connectionFreeRunner(sqlite, db);
  const appendAll = sqlite.transaction((batch: NewMessage[]) => batch.map(appendOne));

  return {
    appendMessages: (batch) => whenConnectionFree(() => appendAll(batch)),
    appendGroupMessages: (batch) => whenConnectionFree(() => appendGroupBatch(batch)),
    findMessageByClientId: (senderId, clientId) => whenConnectionFree(() => storedMessage(senderId, clientId)),
  };
}
