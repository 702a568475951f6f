import { sql } from "kysely";
import type { Kysely } from "kysely";
import { LIMITS } from "../../../shared/protocol";
import type { Message } from "../../../shared/protocol";
import { capByBodyBytes, isUniqueViolation, toMessage, toUserRecord } from "./rows";
import type { Database } from "./schema";
import type { NewMessage, Store, Watermarks } from "./types";

const USER_COLUMNS = ["id", "username", "display_name", "created_at", "last_seen_at"] as const;
const NO_WATERMARKS: Watermarks = { deliveredSeq: 0, readSeq: 0 };

/** Aborts a change's transaction when the message was deleted first. */
class AlreadyDeleted extends Error {}

/** LIKE pattern for a literal prefix: escapes the wildcards with '\'. */
function likePrefix(text: string): string {
  return `${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function toWatermarks(row: { delivered_seq: number; read_seq: number } | undefined): Watermarks {
  return row ? { deliveredSeq: Number(row.delivered_seq), readSeq: Number(row.read_seq) } : NO_WATERMARKS;
}

/**
 * The repository over Kysely. Queries stay dialect-neutral (no SQLite-only
 * syntax) so a PostgresDialect can run the same code.
 */
export function createKyselyStore(db: Kysely<Database>): Store {
  async function findMessageByClientId(senderId: string, clientId: string, q: Kysely<Database> = db) {
    const row = await q
      .selectFrom("messages")
      .selectAll()
      .where("sender_id", "=", senderId)
      .where("client_id", "=", clientId)
      .executeTakeFirst();
    return row && toMessage(row);
  }

  async function insertMessage(m: NewMessage): Promise<{ message: Message; created: boolean }> {
    return db.transaction().execute(async (trx) => {
      // Idempotency: the retry of a stored clientId gets the original back.
      const existing = await findMessageByClientId(m.senderId, m.clientId, trx);
      if (existing) return { message: existing, created: false };

      // The upsert locks the conversation row, so concurrent sends get consecutive seqs and revs.
      const { last_seq: seq, rev } = await trx
        .insertInto("conversations")
        .values({
          id: m.conversationId,
          user_a: m.userA,
          user_b: m.userB,
          last_seq: 1,
          rev: 1,
          last_message_at: m.createdAt,
        })
        .onConflict((oc) =>
          oc.column("id").doUpdateSet({
            last_seq: sql<number>`conversations.last_seq + 1`,
            rev: sql<number>`conversations.rev + 1`,
            last_message_at: m.createdAt,
          }),
        )
        .returning(["last_seq", "rev"])
        .executeTakeFirstOrThrow();

      const row = {
        id: m.id,
        conversation_id: m.conversationId,
        seq: Number(seq),
        sender_id: m.senderId,
        client_id: m.clientId,
        body: m.body,
        created_at: m.createdAt,
        edited_at: null,
        deleted_at: null,
        rev: Number(rev),
      };
      await trx.insertInto("messages").values(row).execute();
      await trx
        .insertInto("conversation_members")
        .values(
          [...new Set([m.userA, m.userB])].map((user_id) => ({
            conversation_id: m.conversationId,
            user_id,
            delivered_seq: 0,
            read_seq: 0,
          })),
        )
        .onConflict((oc) => oc.columns(["conversation_id", "user_id"]).doNothing())
        .execute();
      return { message: toMessage(row), created: true };
    });
  }

  return {
    async ping() {
      await sql`select 1`.execute(db);
    },

    async close() {
      await db.destroy();
    },

    async createUser(user) {
      try {
        await db
          .insertInto("users")
          .values({
            id: user.id,
            username: user.username,
            display_name: user.displayName,
            password_hash: user.passwordHash,
            created_at: user.createdAt,
            last_seen_at: user.lastSeenAt,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) return null;
        throw error;
      }
      return {
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        createdAt: user.createdAt,
        lastSeenAt: user.lastSeenAt,
      };
    },

    async findUserById(id) {
      const row = await db.selectFrom("users").select(USER_COLUMNS).where("id", "=", id).executeTakeFirst();
      return row && toUserRecord(row);
    },

    async findCredentials(username) {
      const row = await db
        .selectFrom("users")
        .select([...USER_COLUMNS, "password_hash"])
        .where("username", "=", username)
        .executeTakeFirst();
      return row && { user: toUserRecord(row), passwordHash: row.password_hash };
    },

    async searchUsers({ prefix, excludeId, limit }) {
      let query = db.selectFrom("users").select(USER_COLUMNS).where("id", "!=", excludeId);
      if (prefix) {
        const pattern = likePrefix(prefix);
        query = query.where((eb) =>
          eb.or([
            sql<boolean>`lower(${eb.ref("username")}) like ${pattern} escape '\\'`,
            sql<boolean>`lower(${eb.ref("display_name")}) like ${pattern} escape '\\'`,
          ]),
        );
      }
      const rows = await query.orderBy("username").limit(limit).execute();
      return rows.map(toUserRecord);
    },

    async setLastSeen(userId, at) {
      await db.updateTable("users").set({ last_seen_at: at }).where("id", "=", userId).execute();
    },

    async createSession(session) {
      await db
        .insertInto("sessions")
        .values({
          token_hash: session.tokenHash,
          user_id: session.userId,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
        })
        .execute();
    },

    async findSession(tokenHash, now) {
      const row = await db
        .selectFrom("sessions")
        .innerJoin("users", "users.id", "sessions.user_id")
        .select([...USER_COLUMNS.map((c) => `users.${c}` as const), "sessions.expires_at"])
        .where("sessions.token_hash", "=", tokenHash)
        .where("sessions.expires_at", ">", now)
        .executeTakeFirst();
      return row && { user: toUserRecord(row), expiresAt: row.expires_at };
    },

    async renewSession(tokenHash, expiresAt) {
      await db
        .updateTable("sessions")
        .set({ expires_at: expiresAt })
        .where("token_hash", "=", tokenHash)
        .where("expires_at", "<", expiresAt)
        .execute();
    },

    async deleteSession(tokenHash) {
      await db.deleteFrom("sessions").where("token_hash", "=", tokenHash).execute();
    },

    async deleteUserSessions(userId, exceptTokenHash) {
      let query = db.deleteFrom("sessions").where("user_id", "=", userId);
      if (exceptTokenHash !== undefined) query = query.where("token_hash", "!=", exceptTokenHash);
      await query.execute();
    },

    async deleteExpiredSessions(now) {
      const result = await db.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async setPasswordHash(userId, passwordHash) {
      await db.updateTable("users").set({ password_hash: passwordHash }).where("id", "=", userId).execute();
    },

    async listConversations(userId) {
      const rows = await db
        .selectFrom("conversations as c")
        .innerJoin("conversation_members as mine", (join) =>
          join.onRef("mine.conversation_id", "=", "c.id").on("mine.user_id", "=", userId),
        )
        .innerJoin("messages as last", (join) =>
          join.onRef("last.conversation_id", "=", "c.id").onRef("last.seq", "=", "c.last_seq"),
        )
        .selectAll("last")
        .select(["c.user_a", "c.user_b", "mine.read_seq as my_read_seq"])
        .select((eb) =>
          eb
            .selectFrom("messages as unread")
            .select((sub) => sub.fn.countAll<number>().as("n"))
            .whereRef("unread.conversation_id", "=", "c.id")
            .where("unread.sender_id", "!=", userId)
            .whereRef("unread.seq", ">", "mine.read_seq")
            .as("unread_count"),
        )
        .orderBy("c.last_message_at", "desc")
        .orderBy("c.id")
        .execute();
      if (rows.length === 0) return [];

      const peerMembers = await db
        .selectFrom("conversation_members")
        .selectAll()
        .where(
          "conversation_id",
          "in",
          rows.map((r) => r.conversation_id),
        )
        .execute();

      return rows.map((row) => {
        const peerId = row.user_a === userId ? row.user_b : row.user_a;
        const peer = toWatermarks(
          peerMembers.find((m) => m.conversation_id === row.conversation_id && m.user_id === peerId),
        );
        return {
          conversationId: row.conversation_id,
          peerId,
          lastMessage: toMessage(row),
          unreadCount: Number(row.unread_count ?? 0),
          readSeq: Number(row.my_read_seq),
          peerReadSeq: peer.readSeq,
          peerDeliveredSeq: peer.deliveredSeq,
        };
      });
    },

    async listPeerIds(userId) {
      const rows = await db
        .selectFrom("conversations")
        .select(["user_a", "user_b"])
        .where((eb) => eb.or([eb("user_a", "=", userId), eb("user_b", "=", userId)]))
        .execute();
      return [...new Set(rows.map((r) => (r.user_a === userId ? r.user_b : r.user_a)))];
    },

    async getConversationState(conversationId, userId, peerId) {
      const conversation = await db
        .selectFrom("conversations")
        .select(["last_seq", "rev"])
        .where("id", "=", conversationId)
        .executeTakeFirst();
      const members = await db
        .selectFrom("conversation_members")
        .selectAll()
        .where("conversation_id", "=", conversationId)
        .execute();
      return {
        lastSeq: Number(conversation?.last_seq ?? 0),
        rev: Number(conversation?.rev ?? 0),
        mine: toWatermarks(members.find((m) => m.user_id === userId)),
        peer: toWatermarks(members.find((m) => m.user_id === peerId)),
      };
    },

    async listMessages(conversationId, { beforeSeq, afterSeq, limit }) {
      let query = db.selectFrom("messages").selectAll().where("conversation_id", "=", conversationId);
      // One row past the page tells whether more exist; the byte cap may end the page sooner.
      if (afterSeq !== undefined) {
        const rows = await query
          .where("seq", ">", afterSeq)
          .orderBy("seq", "asc")
          .limit(limit + 1)
          .execute();
        const page = capByBodyBytes(rows.slice(0, limit), LIMITS.pageMaxBodyBytes);
        return { messages: page.map(toMessage), hasMore: rows.length > page.length };
      }
      if (beforeSeq !== undefined) query = query.where("seq", "<", beforeSeq);
      const rows = await query
        .orderBy("seq", "desc")
        .limit(limit + 1)
        .execute();
      // Newest first, so the cap keeps the messages nearest the cursor.
      const page = capByBodyBytes(rows.slice(0, limit), LIMITS.pageMaxBodyBytes);
      return { messages: page.reverse().map(toMessage), hasMore: rows.length > page.length };
    },
    async listChanges(conversationId, { sinceRev, uptoSeq, limit }) {
      const conversation = await db
        .selectFrom("conversations")
        .select("rev")
        .where("id", "=", conversationId)
        .executeTakeFirst();
      let query = db
        .selectFrom("messages")
        .selectAll()
        .where("conversation_id", "=", conversationId)
        .where("rev", ">", sinceRev);
      if (uptoSeq !== undefined) query = query.where("seq", "<=", uptoSeq);
      const rows = await query
        .orderBy("rev", "asc")
        .limit(limit + 1)
        .execute();
      const page = capByBodyBytes(rows.slice(0, limit), LIMITS.pageMaxBodyBytes);
      return {
        messages: page.map(toMessage),
        rev: Number(conversation?.rev ?? 0),
        hasMore: rows.length > page.length,
      };
    },

    async findMessageById(id) {
      const row = await db.selectFrom("messages").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toMessage(row);
    },

    findMessageByClientId: (senderId, clientId) => findMessageByClientId(senderId, clientId),

    async appendMessage(message) {
      try {
        return await insertMessage(message);
      } catch (error) {
        // Another node (or connection) stored the same clientId between our check and insert.
        if (!isUniqueViolation(error)) throw error;
        const existing = await findMessageByClientId(message.senderId, message.clientId);
        if (!existing) throw error;
        return { message: existing, created: false };
      }
    },

    async updateMessage(target, changes) {
      return db
        .transaction()
        .execute(async (trx) => {
          // Bumping the rev locks the conversation row, so changes get their revs in commit order.
          const { rev } = await trx
            .updateTable("conversations")
            .set({ rev: sql<number>`rev + 1` })
            .where("id", "=", target.conversationId)
            .returning("rev")
            .executeTakeFirstOrThrow();
          // The guard, not any in-process queue, keeps a deleted message deleted.
          const row = await trx
            .updateTable("messages")
            .set({
              body: changes.body,
              rev: Number(rev),
              ...(changes.editedAt && { edited_at: changes.editedAt }),
              ...(changes.deletedAt && { deleted_at: changes.deletedAt }),
            })
            .where("id", "=", target.id)
            .where("deleted_at", "is", null)
            .returningAll()
            .executeTakeFirst();
          if (!row) throw new AlreadyDeleted();
          return toMessage(row);
        })
        .catch((error: unknown) => {
          // Nothing changed, and the rev bump was rolled back with the transaction.
          if (error instanceof AlreadyDeleted) return null;
          throw error;
        });
    },

    async advanceWatermarks(conversationId, userId, requested) {
      const conversation = await db
        .selectFrom("conversations")
        .select("last_seq")
        .where("id", "=", conversationId)
        .executeTakeFirst();
      // No message yet: no member row, and every watermark stays 0.
      if (!conversation) return { ...NO_WATERMARKS, changed: false };
      // last_seq only grows, so clamping to a value read a moment ago can only clamp lower: still safe.
      const lastSeq = Number(conversation.last_seq);
      const readSeq = Math.min(requested.readSeq ?? 0, lastSeq);
      const deliveredSeq = Math.max(Math.min(requested.deliveredSeq ?? 0, lastSeq), readSeq);
      // One statement that only raises: concurrent receipts (other tabs, other nodes) can never move a
      // watermark back, at any isolation level.
      const raised = await db
        .updateTable("conversation_members")
        .set((eb) => ({
          read_seq: eb.case().when("read_seq", "<", readSeq).then(readSeq).else(eb.ref("read_seq")).end(),
          delivered_seq: eb
            .case()
            .when("delivered_seq", "<", deliveredSeq)
            .then(deliveredSeq)
            .else(eb.ref("delivered_seq"))
            .end(),
        }))
        .where("conversation_id", "=", conversationId)
        .where("user_id", "=", userId)
        .where((eb) => eb.or([eb("read_seq", "<", readSeq), eb("delivered_seq", "<", deliveredSeq)]))
        .returning(["delivered_seq", "read_seq"])
        .executeTakeFirst();
      if (raised) return { ...toWatermarks(raised), changed: true };
      const current = await db
        .selectFrom("conversation_members")
        .select(["delivered_seq", "read_seq"])
        .where("conversation_id", "=", conversationId)
        .where("user_id", "=", userId)
        .executeTakeFirst();
      return { ...toWatermarks(current), changed: false };
    },
  };
}
