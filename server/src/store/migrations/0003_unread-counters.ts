import { sql } from "kysely";
import type { Kysely, Migration } from "kysely";

/**
 * Unread counts without counting messages. A message records its sender's
 * ordinal in the conversation (1 for their first message there, …); a
 * member records how many messages they sent (`sent_count`) and how many of
 * the peer's messages lie at or below their read watermark
 * (`read_peer_count`). My unread count is then the peer's `sent_count` minus
 * my `read_peer_count`, and raising my watermark to seq s reads one row: the
 * message at s, whose sender's ordinal says how many of the peer's messages
 * are at or below s. Existing rows are backfilled here.
 */
export const unreadCounters: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("messages")
      .addColumn("sender_ordinal", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable("conversation_members")
      .addColumn("sent_count", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable("conversation_members")
      .addColumn("read_peer_count", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await sql`
      update messages set sender_ordinal = ranked.ordinal
      from (
        select id, row_number() over (partition by conversation_id, sender_id order by seq) as ordinal
        from messages
      ) as ranked
      where messages.id = ranked.id`.execute(db);
    await sql`
      update conversation_members set
        sent_count = (
          select count(*) from messages m
          where m.conversation_id = conversation_members.conversation_id and m.sender_id = conversation_members.user_id
        ),
        read_peer_count = (
          select count(*) from messages m
          where m.conversation_id = conversation_members.conversation_id
            and m.sender_id <> conversation_members.user_id
            and m.seq <= conversation_members.read_seq
        )`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("conversation_members").dropColumn("read_peer_count").execute();
    await db.schema.alterTable("conversation_members").dropColumn("sent_count").execute();
    await db.schema.alterTable("messages").dropColumn("sender_ordinal").execute();
  },
};
