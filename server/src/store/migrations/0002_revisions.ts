import { sql } from "kysely";
import type { Kysely, Migration } from "kysely";

/**
 * Catch-up of changes: every send, edit and delete moves its conversation's
 * `rev`, and a message records the rev of its last change. Existing messages
 * start at rev = seq (their send), the conversation at its last seq.
 */
export const revisions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("conversations")
      .addColumn("rev", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable("messages")
      .addColumn("rev", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await sql`update conversations set rev = last_seq`.execute(db);
    await sql`update messages set rev = seq`.execute(db);
    await db.schema
      .createIndex("messages_conversation_rev")
      .on("messages")
      .columns(["conversation_id", "rev"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex("messages_conversation_rev").execute();
    await db.schema.alterTable("messages").dropColumn("rev").execute();
    await db.schema.alterTable("conversations").dropColumn("rev").execute();
  },
};
