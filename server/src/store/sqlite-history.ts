import type SQLite from "better-sqlite3";
import type { Kysely } from "kysely";
import { LIMITS, isGroupConversation, participantsOf } from "../../../shared/protocol";
import type { Database } from "./schema";
import { connectionFreeRunner } from "./sqlite-connection";
import type { Store } from "./types";

/** A page as one row: its messages' JSON texts joined, how many rows were read and kept, and the kept bodies' bytes. */
type PageRow = { messages: string | null; read: number; kept: number; bytes: number | null };

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
)`;

/**
 * History pages as SQLite writes them: one text for the page, each message's
 * `json_object` joined in SQLite, instead of rows made into objects and
 * stringified (a third to a half of the time; docs/benchmarks.md) or one
 * string a row joined in JavaScript (three more copies of the page on the
 * heap). The same pages as the Kysely store's listMessages, which the tests
 * compare: one row past the page tells whether more exist, and the byte cap
 * (capByBodyBytes's rule, as a running sum, asked for only when the page's
 * bodies are over it) keeps the messages nearest the cursor. Never runs inside
 * a transaction Kysely holds open.
 */
export function createSqliteHistory(sqlite: SQLite.Database, db: Kysely<Database>): Pick<Store, "listMessagesJson"> {
  // `order`: away from the cursor; the page itself is always oldest first. The two shapes below
  // differ in the columns `picked` adds and in which rows `kept` keeps.
  const statement = (cursor: string, order: "asc" | "desc", parts: { columns: string; kept: string }) =>
    sqlite.prepare<Record<string, unknown>, PageRow>(
      `with picked as materialized (
         select m.seq, ${MESSAGE_JSON} as json, ${parts.columns}
         from messages as m left join messages as parent on parent.id = m.reply_to_id
         where m.conversation_id = @conversationId and m.seq >= @fromSeq ${cursor} order by m.seq ${order} limit @limit + 1
       ), kept as (${parts.kept})
       select (select group_concat(json, ',' order by seq) from kept) as messages,
         (select count(*) from picked) as read, (select count(*) from kept) as kept,
         (select sum(bytes) from kept) as bytes`,
    );
  const shapes = (cursor: string, order: "asc" | "desc") => ({
    // The window functions are a quarter of the statement's time, and only long bodies reach the
    // cap: this shape leaves it out, and its `bytes` tells whether the page would have reached it.
    uncapped: statement(cursor, order, {
      columns: "octet_length(m.body) as bytes",
      // `+ 0`: a bare LIMIT parameter makes SQLite prepare the statement again on every run
      // (boundLimit in kysely-store.ts).
      kept: `select seq, json, bytes from picked order by seq ${order} limit @limit + 0`,
    }),
    capped: statement(cursor, order, {
      columns: `octet_length(m.body) as bytes,
       sum(octet_length(m.body)) over (order by m.seq ${order} rows unbounded preceding) as running,
       row_number() over (order by m.seq ${order}) as n`,
      kept: `select seq, json, bytes from picked where n <= @limit and (n = 1 or running <= ${LIMITS.pageMaxBodyBytes})`,
    }),
  });
  const pages = {
    after: shapes("and m.seq > @afterSeq", "asc"),
    before: shapes("and m.seq < @beforeSeq", "desc"),
    newest: shapes("", "desc"),
  };
  const whenConnectionFree = connectionFreeRunner(sqlite, db);

  return {
    async listMessagesJson(conversationId, { beforeSeq, afterSeq, limit, fromSeq = 1 }) {
      // A group message has no recipient: null matches no sender.
      const [userA, userB] = isGroupConversation(conversationId) ? [null, null] : participantsOf(conversationId);
      const parameters = { conversationId, userA, userB, fromSeq, beforeSeq, afterSeq, limit };
      const shape = afterSeq !== undefined ? pages.after : beforeSeq !== undefined ? pages.before : pages.newest;
      const { messages, read, kept } = (await whenConnectionFree(() => {
        const whole = shape.uncapped.get(parameters)!;
        // Within the cap, every running sum is too, so the capped page would be the same.
        return whole.kept > 1 && whole.bytes! > LIMITS.pageMaxBodyBytes ? shape.capped.get(parameters)! : whole;
      }))!;
      return `{"messages":[${messages ?? ""}],"hasMore":${read > kept}}`;
    },
  };
}
