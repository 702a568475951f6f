import type { Kysely, Migration } from "kysely";

/**
 * Groups, replies, reactions, mentions and notification settings (PROTOCOL-v2).
 *
 * A group's conversation is a `conversations` row like a DM's, with kind
 * "group" and both user columns naming its creator (they are required by the
 * first layout); its members are `conversation_members` rows with a role, the
 * seq that added them, and the seq that removed them (null while they are
 * members). Receipts stay one row per member: O(members), never per message.
 *
 * A message's reactions and mentions are kept on its row as JSON, so reading
 * a page reads no other table; `message_reactions` holds one row per
 * (message, user, emoji) so its key settles concurrent adds, and
 * `message_mentions` indexes who was mentioned where for mention counts.
 * Attachments (a later table keyed by message) and search fit beside these.
 */
export const groups: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("conversations")
      .addColumn("kind", "text", (c) => c.notNull().defaultTo("dm"))
      .execute();

    const messages = () => db.schema.alterTable("messages");
    await messages()
      .addColumn("kind", "text", (c) => c.notNull().defaultTo("text"))
      .execute();
    await messages().addColumn("reply_to_id", "text").execute();
    await messages()
      .addColumn("mentions", "text", (c) => c.notNull().defaultTo("[]"))
      .execute();
    await messages()
      .addColumn("reactions", "text", (c) => c.notNull().defaultTo("[]"))
      .execute();
    await messages().addColumn("system", "text").execute();

    await db.schema.alterTable("conversation_members").addColumn("role", "text").execute();
    await db.schema
      .alterTable("conversation_members")
      .addColumn("joined_seq", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable("conversation_members").addColumn("left_seq", "integer").execute();

    await db.schema
      .createTable("groups")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("conversation_id", "text", (c) => c.notNull().unique().references("conversations.id"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("history", "text", (c) => c.notNull())
      .addColumn("created_by", "text", (c) => c.notNull().references("users.id"))
      .addColumn("client_id", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("closed_at", "text")
      .addUniqueConstraint("groups_creator_client", ["created_by", "client_id"])
      .execute();

    await db.schema
      .createTable("message_reactions")
      .addColumn("message_id", "text", (c) => c.notNull().references("messages.id"))
      .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
      .addColumn("emoji", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("message_reactions_pk", ["message_id", "user_id", "emoji"])
      .execute();

    await db.schema
      .createTable("message_mentions")
      .addColumn("message_id", "text", (c) => c.notNull().references("messages.id"))
      .addColumn("conversation_id", "text", (c) => c.notNull())
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
      .addPrimaryKeyConstraint("message_mentions_pk", ["message_id", "user_id"])
      .execute();
    await db.schema
      .createIndex("message_mentions_user")
      .on("message_mentions")
      .columns(["user_id", "conversation_id", "seq"])
      .execute();

    // Not keyed to a conversations row: a DM can be muted before its first message.
    await db.schema
      .createTable("conversation_settings")
      .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
      .addColumn("conversation_id", "text", (c) => c.notNull())
      .addColumn("notify", "text", (c) => c.notNull().defaultTo("all"))
      .addColumn("muted_until", "text")
      .addPrimaryKeyConstraint("conversation_settings_pk", ["user_id", "conversation_id"])
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of ["conversation_settings", "message_mentions", "message_reactions", "groups"]) {
      await db.schema.dropTable(table).execute();
    }
    for (const column of ["left_seq", "joined_seq", "role"]) {
      await db.schema.alterTable("conversation_members").dropColumn(column).execute();
    }
    for (const column of ["system", "reactions", "mentions", "reply_to_id", "kind"]) {
      await db.schema.alterTable("messages").dropColumn(column).execute();
    }
    await db.schema.alterTable("conversations").dropColumn("kind").execute();
  },
};
