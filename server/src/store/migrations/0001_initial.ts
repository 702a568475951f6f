import type { Kysely, Migration } from "kysely";

// Written with the schema builder only, so the same migration runs on SQLite and PostgreSQL.
export const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("users")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("username", "text", (c) => c.notNull().unique())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("password_hash", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("last_seen_at", "text")
      .execute();

    await db.schema
      .createTable("sessions")
      .addColumn("token_hash", "text", (c) => c.primaryKey())
      .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("expires_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("sessions_user_id").on("sessions").column("user_id").execute();

    await db.schema
      .createTable("conversations")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("user_a", "text", (c) => c.notNull().references("users.id"))
      .addColumn("user_b", "text", (c) => c.notNull().references("users.id"))
      .addColumn("last_seq", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("last_message_at", "text")
      .execute();
    await db.schema.createIndex("conversations_user_a").on("conversations").column("user_a").execute();
    await db.schema.createIndex("conversations_user_b").on("conversations").column("user_b").execute();

    await db.schema
      .createTable("messages")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id"))
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("sender_id", "text", (c) => c.notNull().references("users.id"))
      .addColumn("client_id", "text", (c) => c.notNull())
      .addColumn("body", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("edited_at", "text")
      .addColumn("deleted_at", "text")
      .addUniqueConstraint("messages_conversation_seq", ["conversation_id", "seq"])
      .addUniqueConstraint("messages_sender_client", ["sender_id", "client_id"])
      .execute();

    await db.schema
      .createTable("conversation_members")
      .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id"))
      .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
      .addColumn("delivered_seq", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("read_seq", "integer", (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint("conversation_members_pk", ["conversation_id", "user_id"])
      .execute();
    await db.schema.createIndex("conversation_members_user_id").on("conversation_members").column("user_id").execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of ["conversation_members", "messages", "conversations", "sessions", "users"]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
