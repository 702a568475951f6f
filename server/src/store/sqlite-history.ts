import type SQLite from "better-sqlite3";
import type { Kysely } from "kysely";
import { LIMITS, isGroupConversation, participantsOf } from "../../../shared/protocol";
import { capByBytes } from "./rows";
import type { Database } from "./schema";
import type { Store } from "./types";

/** A page row: the message as toMessage's JSON (same keys, same order) and its body's size in UTF-8. */
type JsonRow = [json: string, bodyBytes: number];

const MESSAGE_JSON = `json_object(
  'id', id, 'conversationId', conversation_id, 'seq', seq, 'senderId', sender_id,
  'recipientId', case sender_id when @userA then @userB else @userA end,
  'clientId', case kind when 'system' then '' else client_id end, 'body', body, 'createdAt', created_at,
  'editedAt', edited_at, 'deletedAt', deleted_at, 'rev', rev, 'kind', kind, 'replyTo', null,
  'attachments', json('[]'), 'reactions', json(reactions), 'mentions', json(mentions), 'system', json(system)
), octet_length(body)`;

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
        `select ${MESSAGE_JSON} from messages where conversation_id = @conversationId and seq >= @fromSeq ${cursor}
         order by seq ${order} limit @limit`,
      )
      .raw(true);
  const pages = {
    after: page("and seq > @afterSeq", "asc"),
    before: page("and seq < @beforeSeq", "desc"),
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
