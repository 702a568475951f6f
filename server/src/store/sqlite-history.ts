import type SQLite from "better-sqlite3";
import type { Kysely } from "kysely";
import { LIMITS, isGroupConversation, participantsOf } from "../../../shared/protocol";
import { capByBytes } from "./rows";
import type { Database } from "./schema";
import type { Store } from "./types";

/** A page row: the message as toMessage's JSON (same keys, same order) and its body's size in UTF-8. */
type JsonRow = [json: string, bodyBytes: number];

// A reply's quote as rows.ts's quoteOf builds it (same keys, same order), from its parent's current row.
const REPLY_TO_JSON = `case when parent.id is null then null else json_object(
  'id', parent.id, 'seq', parent.seq, 'senderId', parent.sender_id,
  'excerpt', case when parent.deleted_at is null then substr(parent.body, 1, ${LIMITS.replyExcerptCodePoints}) else '' end,
  'deleted', json(case when parent.deleted_at is null then 'false' else 'true' end)
) end`;

const MESSAGE_JSON = `json_object(
  'id', m.id, 'conversationId', m.conversation_id, 'seq', m.seq, 'senderId', m.sender_id,
  'recipientId', case m.sender_id when @userA then @userB else @userA end,
  'clientId', case m.kind when 'system' then '' else m.client_id end, 'body', m.body, 'createdAt', m.created_at,
  'editedAt', m.edited_at, 'deletedAt', m.deleted_at, 'rev', m.rev, 'kind', m.kind, 'replyTo', ${REPLY_TO_JSON},
  'attachments', json('[]'), 'reactions', json(m.reactions), 'mentions', json(m.mentions), 'system', json(m.system)
), octet_length(m.body)`;

/**
 * History pages as SQLite writes them: one JSON text per message, joined,
 * instead of rows made into objects and stringified (a third to a half of
 * the time; docs/benchmarks.md). The same pages as the Kysely
 * store's listMessages, which the tests compare. Read through Kysely's
 * connection, so never from inside a transaction Kysely holds open.
 */
export function createSqliteHistory(sqlite: SQLite.Database, db: Kysely<Database>): Pick<Store, "listMessagesJson"> {
  const page = (cursor: string, order: "asc" | "desc") =>
    sqlite
      .prepare<Record<string, unknown>, JsonRow>(
        `select ${MESSAGE_JSON} from messages as m left join messages as parent on parent.id = m.reply_to_id
         where m.conversation_id = @conversationId and m.seq >= @fromSeq ${cursor} order by m.seq ${order} limit @limit`,
      )
      .raw(true);
  const pages = {
    after: page("and m.seq > @afterSeq", "asc"),
    before: page("and m.seq < @beforeSeq", "desc"),
    newest: page("", "desc"),
  };

  return {
    async listMessagesJson(conversationId, { beforeSeq, afterSeq, limit, fromSeq = 1 }) {
      // A group message has no recipient: null matches no sender.
      const [userA, userB] = isGroupConversation(conversationId) ? [null, null] : participantsOf(conversationId);
      // One row past the page tells whether more exist; the byte cap may end the page sooner.
      const parameters = { conversationId, userA, userB, fromSeq, beforeSeq, afterSeq, limit: limit + 1 };
      const statement = afterSeq !== undefined ? pages.after : beforeSeq !== undefined ? pages.before : pages.newest;
      const rows = await db.connection().execute(async () => statement.all(parameters));
      const page = capByBytes(rows.slice(0, limit), LIMITS.pageMaxBodyBytes, ([, bodyBytes]) => bodyBytes);
      // Newest first unless paging forwards, so the cap keeps the messages nearest the cursor.
      if (afterSeq === undefined) page.reverse();
      return `{"messages":[${page.map(([json]) => json).join(",")}],"hasMore":${rows.length > page.length}}`;
    },
  };
}
