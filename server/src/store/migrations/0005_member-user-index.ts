import type { Kysely, Migration } from "kysely";

/**
 * A user's current conversations from an index alone: the conversation list picks its page from
 * (user_id, left_seq, conversation_id) without reading a thousand member rows (docs/benchmarks.md).
 * It replaces the index on user_id, whose lookups its first column serves. Sends and receipts write
 * none of its columns, so they update it no more often than the one it replaces.
 */
export const memberUserIndex: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex("conversation_members_user")
      .on("conversation_members")
      .columns(["user_id", "left_seq", "conversation_id"])
      .execute();
    await db.schema.dropIndex("conversation_members_user_id").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.createIndex("conversation_members_user_id").on("conversation_members").column("user_id").execute();
    await db.schema.dropIndex("conversation_members_user").execute();
  },
};
