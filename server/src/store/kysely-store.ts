import { sql } from "kysely";
import type { CompiledQuery, Kysely, Selectable } from "kysely";
import { mentionedIds } from "../../../shared/mentions";
import { LIMITS } from "../../../shared/protocol";
import type { Message } from "../../../shared/protocol";
import {
  capByBodyBytes,
  isUniqueViolation,
  mentionRows,
  newMessageRow,
  quoteOf,
  toMessage,
  toUserRecord,
} from "./rows";
import type { MessageRow, ReplyColumns } from "./rows";
import type { Database, MessageMentionsTable, MessagesTable } from "./schema";
import type { AppendResult, ConversationSummaryRecord, NewMessage, Store, Watermarks } from "./types";

const USER_COLUMNS = ["id", "username", "display_name", "created_at", "last_seen_at"] as const;
/** What a wire Message is made of (toMessage). */
const MESSAGE_COLUMNS = [
  "id",
  "conversation_id",
  "seq",
  "sender_id",
  "client_id",
  "body",
  "created_at",
  "edited_at",
  "deleted_at",
  "rev",
  "kind",
  "reply_to_id",
  "mentions",
  "reactions",
  "system",
] as const;
/** A reply's parent, joined as "parent" by its primary key: what quoteOf builds the quote from. */
const REPLY_COLUMNS = [
  "parent.seq as reply_seq",
  "parent.sender_id as reply_sender_id",
  // Cut by the database (substr counts code points in both dialects): a reply never reads a whole parent body.
  sql<string>`substr(parent.body, 1, ${sql.lit(LIMITS.replyExcerptCodePoints)})`.as("reply_excerpt"),
  "parent.deleted_at as reply_deleted_at",
] as const;
const NO_WATERMARKS: Watermarks = { deliveredSeq: 0, readSeq: 0 };
// Rows of one insert into message_mentions at most: a batch of group messages each mentioning
// everyone would pass PostgreSQL's 65,535 parameters.
const MENTION_ROWS_PER_INSERT = 1000;

/** Aborts a change's transaction when the message was deleted first. */
class AlreadyDeleted extends Error {}

/** LIKE pattern for a literal prefix: escapes the wildcards with '\'. */
function likePrefix(text: string): string {
  return `${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function toWatermarks(row: { delivered_seq: number; read_seq: number } | undefined): Watermarks {
  return row ? { deliveredSeq: Number(row.delivered_seq), readSeq: Number(row.read_seq) } : NO_WATERMARKS;
}

/** A compiled query run again with other parameters, in the order they appear in the SQL. */
function rerun<Row>(db: Kysely<Database>, query: CompiledQuery<Row>, parameters: unknown[]) {
  return db.executeQuery<Row>({ ...query, parameters });
}

/** Two ids as one map key: (sender, clientId) or (conversation, member). */
const pairKey = (first: string, second: string) => `${first}\u0000${second}`;

/** Messages as the wire shows them: each with its reply's parent, joined by primary key. */
function selectMessages(db: Kysely<Database>) {
  return db
    .selectFrom("messages")
    .leftJoin("messages as parent", "parent.id", "messages.reply_to_id")
    .select(MESSAGE_COLUMNS.map((c) => `messages.${c}` as const))
    .select(REPLY_COLUMNS);
}

/** Rows just written as wire messages, their replies quoting their parents as they are now (one lookup). */
async function withQuotes(db: Kysely<Database>, rows: MessageRow[]): Promise<Message[]> {
  const parentIds = [...new Set(rows.flatMap((row) => row.reply_to_id ?? []))];
  const parents =
    parentIds.length === 0
      ? []
      : await db
          .selectFrom("messages as parent")
          .select(["parent.id", ...REPLY_COLUMNS])
          .where("parent.id", "in", parentIds)
          .execute();
  const quotes = new Map(parents.map((parent) => [parent.id, quoteOf({ reply_to_id: parent.id, ...parent })]));
  return rows.map((row) => toMessage(row, row.reply_to_id === null ? null : (quotes.get(row.reply_to_id) ?? null)));
}

/**
 * The current members of each conversation, who a message may mention: member rows that have not left,
 * so a DM's two participants (their rows come with its first message) and a group's members alike.
 */
async function currentMembers(db: Kysely<Database>, conversationIds: string[]) {
  const members = new Map<string, { id: string; username: string }[]>();
  if (conversationIds.length === 0) return members;
  const rows = await db
    .selectFrom("conversation_members as member")
    .innerJoin("users", "users.id", "member.user_id")
    .select(["member.conversation_id", "users.id", "users.username"])
    .where("member.conversation_id", "in", conversationIds)
    .where("member.left_seq", "is", null)
    .execute();
  for (const row of rows) members.set(row.conversation_id, [...(members.get(row.conversation_id) ?? []), row]);
  return members;
}

async function insertMentionRows(db: Kysely<Database>, rows: Selectable<MessageMentionsTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += MENTION_ROWS_PER_INSERT)
    await db
      .insertInto("message_mentions")
      .values(rows.slice(i, i + MENTION_ROWS_PER_INSERT))
      .execute();
}

/**
 * Messages mentioning a member above their read watermark, from message_mentions' index alone (a
 * deleted message, or a sender's own mention, has no row). Takes the columns of a member row, so a
 * group's summary counts the same way as a DM's.
 */
function unreadMentionCount(member: { conversationId: string; userId: string; readSeq: string }) {
  return sql<number | string>`(select count(*) from message_mentions
    where message_mentions.user_id = ${sql.ref(member.userId)}
      and message_mentions.conversation_id = ${sql.ref(member.conversationId)}
      and message_mentions.seq > ${sql.ref(member.readSeq)})`;
}

/**
 * Appends a batch in one transaction and a handful of statements whatever its
 * size: one lookup of the batch's clientIds, one upsert that moves every
 * touched conversation's last_seq and rev by its count of new messages, one
 * upsert of the senders' member rows (their sent counts give the ordinals),
 * one multi-row insert. Only when some body has an '@': one lookup of those
 * conversations' members and one insert of the mention rows; only when some
 * message replies: one read of the parents it quotes. Conversations are locked
 * in id order, so two nodes' batches cannot deadlock.
 */
async function appendBatch(db: Kysely<Database>, batch: NewMessage[]): Promise<AppendResult[]> {
  return db.transaction().execute(async (trx) => {
    const stored = await selectMessages(trx)
      .where((eb) =>
        eb.or(
          batch.map((m) =>
            eb.and([eb("messages.sender_id", "=", m.senderId), eb("messages.client_id", "=", m.clientId)]),
          ),
        ),
      )
      .execute();
    const known = new Map(stored.map((row) => [pairKey(row.sender_id, row.client_id), toMessage(row, quoteOf(row))]));
    // The first of each new clientId is stored; a repeat in the same batch gets that message back.
    const fresh = new Map<string, NewMessage>();
    for (const m of batch) {
      const key = pairKey(m.senderId, m.clientId);
      if (!known.has(key) && !fresh.has(key)) fresh.set(key, m);
    }
    const created = new Map<string, Message>();
    if (fresh.size > 0) {
      const byConversation = new Map<string, NewMessage[]>();
      for (const m of fresh.values())
        byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m]);
      const groups = [...byConversation].sort(([a], [b]) => (a < b ? -1 : 1));

      const bumped = await trx
        .insertInto("conversations")
        .values(
          groups.map(([id, messages]) => ({
            id,
            user_a: messages[0]!.userA,
            user_b: messages[0]!.userB,
            last_seq: messages.length,
            rev: messages.length,
            last_message_at: messages.at(-1)!.createdAt,
            kind: "dm" as const,
          })),
        )
        .onConflict((oc) =>
          oc.column("id").doUpdateSet({
            last_seq: sql<number>`conversations.last_seq + excluded.last_seq`,
            rev: sql<number>`conversations.rev + excluded.rev`,
            last_message_at: sql<string>`excluded.last_message_at`,
          }),
        )
        .returning(["id", "last_seq", "rev"])
        .execute();
      const counters = new Map(bumped.map((row) => [row.id, { seq: Number(row.last_seq), rev: Number(row.rev) }]));

      // Member rows: the senders' sent counts, and both rows of a conversation this batch opened
      // (its last_seq is then exactly this batch's count).
      const sentBy = new Map<string, { conversationId: string; userId: string; count: number }>();
      for (const [conversationId, messages] of groups) {
        if (counters.get(conversationId)!.seq === messages.length) {
          for (const userId of [messages[0]!.userA, messages[0]!.userB])
            sentBy.set(pairKey(conversationId, userId), { conversationId, userId, count: 0 });
        }
        for (const m of messages) {
          const key = pairKey(conversationId, m.senderId);
          const entry = sentBy.get(key) ?? { conversationId, userId: m.senderId, count: 0 };
          sentBy.set(key, { ...entry, count: entry.count + 1 });
        }
      }
      const members = await trx
        .insertInto("conversation_members")
        .values(
          [...sentBy.values()].map(({ conversationId, userId, count }) => ({
            conversation_id: conversationId,
            user_id: userId,
            delivered_seq: 0,
            read_seq: 0,
            sent_count: count,
            read_peer_count: 0,
            role: null,
            joined_seq: 0,
            left_seq: null,
          })),
        )
        .onConflict((oc) =>
          oc.columns(["conversation_id", "user_id"]).doUpdateSet({
            sent_count: sql<number>`conversation_members.sent_count + excluded.sent_count`,
          }),
        )
        .returning(["conversation_id", "user_id", "sent_count"])
        .execute();
      const sentCounts = new Map(
        members.map((row) => [pairKey(row.conversation_id, row.user_id), Number(row.sent_count)]),
      );
      // Read after the member rows above, so a DM's first message finds both participants. A body
      // without '@' mentions nobody, so a batch of those looks nobody up.
      const mentionable = await currentMembers(
        trx,
        groups.filter(([, messages]) => messages.some((m) => m.body.includes("@"))).map(([id]) => id),
      );

      // Counters now hold the values after the batch: number each group's messages up to them.
      const rows: Array<Selectable<MessagesTable>> = [];
      const mentioned: Selectable<MessageMentionsTable>[] = [];
      for (const [conversationId, messages] of groups) {
        const last = counters.get(conversationId)!;
        const ordinals = new Map<string, number>();
        messages.forEach((m, i) => {
          const countKey = pairKey(conversationId, m.senderId);
          const ordinal = (ordinals.get(countKey) ?? sentCounts.get(countKey)! - sentBy.get(countKey)!.count) + 1;
          ordinals.set(countKey, ordinal);
          const mentions = mentionedIds(m.body, mentionable.get(conversationId) ?? []);
          const row = newMessageRow(
            m,
            { seq: last.seq - messages.length + 1 + i, rev: last.rev - messages.length + 1 + i, ordinal },
            mentions,
          );
          rows.push(row);
          mentioned.push(...mentionRows(row, mentions));
        });
      }
      await trx.insertInto("messages").values(rows).execute();
      await insertMentionRows(trx, mentioned);
      const messages = await withQuotes(trx, rows);
      rows.forEach((row, i) => created.set(pairKey(row.sender_id, row.client_id), messages[i]!));
    }

    const reported = new Set<string>();
    return batch.map((m) => {
      const key = pairKey(m.senderId, m.clientId);
      const fromBatch = created.get(key);
      if (fromBatch && !reported.has(key)) {
        reported.add(key);
        return { message: fromBatch, created: true };
      }
      return { message: (fromBatch ?? known.get(key))!, created: false };
    });
  });
}

type ConversationListRow = Selectable<MessagesTable> &
  ReplyColumns & {
    peer_id: string;
    peer_username: string;
    peer_display_name: string;
    peer_last_seen_at: string | null;
    my_read_seq: number;
    my_read_peer_count: number;
    peer_sent_count: number;
    peer_read_seq: number;
    peer_delivered_seq: number;
    my_mention_count: number | string;
  };

function toSummary(row: Omit<ConversationListRow, "sender_ordinal">, userId: string): ConversationSummaryRecord {
  const withSelf = row.peer_id === userId;
  return {
    kind: "dm",
    conversationId: row.conversation_id,
    peer: {
      id: row.peer_id,
      username: row.peer_username,
      displayName: row.peer_display_name,
      lastSeenAt: row.peer_last_seen_at,
    },
    lastMessage: toMessage(row, quoteOf(row)),
    // Unread: the peer's messages above my read watermark; my own never count.
    unreadCount: withSelf ? 0 : Number(row.peer_sent_count) - Number(row.my_read_peer_count),
    readSeq: Number(row.my_read_seq),
    peerReadSeq: Number(row.peer_read_seq),
    peerDeliveredSeq: Number(row.peer_delivered_seq),
    mentionCount: Number(row.my_mention_count),
    notify: "all",
    mutedUntil: null,
  };
}

/**
 * The repository over Kysely. Queries stay dialect-neutral (no SQLite-only
 * syntax) so a PostgresDialect can run the same code. A dialect may bring
 * its own send path (SQLite does: statements prepared once).
 */
export function createKyselyStore(
  db: Kysely<Database>,
  sendPath: Partial<Pick<Store, "appendMessages" | "findMessageByClientId">> = {},
): Store {
  // Compiled once; the send path runs it for every message.
  const byClientIdQuery = selectMessages(db)
    .where("messages.sender_id", "=", "")
    .where("messages.client_id", "=", "")
    .compile();
  // Compiled once too: every HTTP request finds its session, every history page runs one of these.
  const sessionQuery = db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select([...USER_COLUMNS.map((c) => `users.${c}` as const), "sessions.expires_at"])
    .where("sessions.token_hash", "=", "")
    .where("sessions.expires_at", ">", "")
    .compile();
  // From my member rows by index, each with its conversation, the peer's member and user rows and
  // the last message by key: the cost grows with my conversations, never with their messages. Only
  // the columns the list sends: with a thousand conversations, each column is a thousand values.
  // A page is picked from my rows and their conversations alone, so only its own are joined further.
  // Parameters: the user's id, then a page's position (its activity time twice, its id) and limit.
  function conversationListQuery(page: { positioned: boolean; limited: boolean }) {
    let mine = db
      .selectFrom("conversation_members as mine")
      .innerJoin("conversations as c", "c.id", "mine.conversation_id")
      .where("mine.user_id", "=", "")
      .select([
        "c.id",
        "c.last_message_at",
        "c.last_seq",
        "c.user_a",
        "c.user_b",
        "mine.user_id",
        "mine.read_seq",
        "mine.read_peer_count",
      ]);
    if (page.positioned) {
      mine = mine.where((eb) =>
        eb.or([eb("c.last_message_at", "<", ""), eb.and([eb("c.last_message_at", "=", ""), eb("c.id", ">", "")])]),
      );
    }
    if (page.limited) mine = mine.orderBy("c.last_message_at", "desc").orderBy("c.id").limit(0);
    return db
      .selectFrom(mine.as("mine"))
      .innerJoin("conversation_members as peer", (join) =>
        // In a conversation with myself the peer's row is my own.
        join
          .onRef("peer.conversation_id", "=", "mine.id")
          .on((eb) =>
            eb.or([eb("peer.user_id", "!=", eb.ref("mine.user_id")), eb("mine.user_a", "=", eb.ref("mine.user_b"))]),
          ),
      )
      .innerJoin("messages as last", (join) =>
        join.onRef("last.conversation_id", "=", "mine.id").onRef("last.seq", "=", "mine.last_seq"),
      )
      .innerJoin("users as peer_user", "peer_user.id", "peer.user_id")
      .leftJoin("messages as parent", "parent.id", "last.reply_to_id")
      .select(MESSAGE_COLUMNS.map((c) => `last.${c}` as const))
      .select(REPLY_COLUMNS)
      .select([
        "mine.last_message_at",
        "peer.user_id as peer_id",
        "peer_user.username as peer_username",
        "peer_user.display_name as peer_display_name",
        "peer_user.last_seen_at as peer_last_seen_at",
        "mine.read_seq as my_read_seq",
        "mine.read_peer_count as my_read_peer_count",
        "peer.sent_count as peer_sent_count",
        "peer.read_seq as peer_read_seq",
        "peer.delivered_seq as peer_delivered_seq",
        unreadMentionCount({ conversationId: "mine.id", userId: "mine.user_id", readSeq: "mine.read_seq" }).as(
          "my_mention_count",
        ),
      ])
      .orderBy("mine.last_message_at", "desc")
      .orderBy("mine.id")
      .compile();
  }
  const conversationListQueries = {
    whole: conversationListQuery({ positioned: false, limited: false }),
    top: conversationListQuery({ positioned: false, limited: true }),
    after: conversationListQuery({ positioned: true, limited: true }),
  };
  const pageQuery = selectMessages(db).where("messages.conversation_id", "=", "");
  // Parameters: conversation, [cursor,] limit.
  const pageQueries = {
    after: pageQuery.where("messages.seq", ">", 0).orderBy("messages.seq", "asc").limit(0).compile(),
    before: pageQuery.where("messages.seq", "<", 0).orderBy("messages.seq", "desc").limit(0).compile(),
    newest: pageQuery.orderBy("messages.seq", "desc").limit(0).compile(),
  };

  async function appendMessages(batch: NewMessage[]): Promise<AppendResult[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await (sendPath.appendMessages ?? ((b) => appendBatch(db, b)))(batch);
      } catch (error) {
        // Another node committed one of these clientIds between our lookup and insert (a unique
        // violation waits for the other transaction's commit): the next attempt finds it and returns
        // it. Each failure settles at least one clientId, so the batch's size bounds the attempts.
        if (!isUniqueViolation(error) || attempt > batch.length) throw error;
      }
    }
  }

  const store: Store = {
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
      const [row] = (await rerun(db, sessionQuery, [tokenHash, now])).rows;
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
      const { rows } = await rerun(db, conversationListQueries.whole, [userId]);
      return rows.map((row) => toSummary(row, userId));
    },

    async listConversationPage(userId, { before, limit }) {
      // One row past the page tells whether more follow.
      const { rows } = before
        ? await rerun(db, conversationListQueries.after, [
            userId,
            before.lastMessageAt,
            before.lastMessageAt,
            before.conversationId,
            limit + 1,
          ])
        : await rerun(db, conversationListQueries.top, [userId, limit + 1]);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        conversations: page.map((row) => toSummary(row, userId)),
        next:
          rows.length > limit && last
            ? { lastMessageAt: last.last_message_at!, conversationId: last.conversation_id }
            : null,
      };
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
      // One row past the page tells whether more exist; the byte cap may end the page sooner.
      if (afterSeq !== undefined) {
        const { rows } = await rerun(db, pageQueries.after, [conversationId, afterSeq, limit + 1]);
        const page = capByBodyBytes(rows.slice(0, limit), LIMITS.pageMaxBodyBytes);
        return { messages: page.map((row) => toMessage(row, quoteOf(row))), hasMore: rows.length > page.length };
      }
      const { rows } =
        beforeSeq !== undefined
          ? await rerun(db, pageQueries.before, [conversationId, beforeSeq, limit + 1])
          : await rerun(db, pageQueries.newest, [conversationId, limit + 1]);
      // Newest first, so the cap keeps the messages nearest the cursor.
      const page = capByBodyBytes(rows.slice(0, limit), LIMITS.pageMaxBodyBytes);
      return {
        messages: page.reverse().map((row) => toMessage(row, quoteOf(row))),
        hasMore: rows.length > page.length,
      };
    },

    async listMessagesJson(conversationId, page) {
      return JSON.stringify(await store.listMessages(conversationId, page));
    },

    async listChanges(conversationId, { sinceRev, uptoSeq, limit }) {
      const conversation = await db
        .selectFrom("conversations")
        .select("rev")
        .where("id", "=", conversationId)
        .executeTakeFirst();
      let query = selectMessages(db)
        .where("messages.conversation_id", "=", conversationId)
        .where("messages.rev", ">", sinceRev);
      if (uptoSeq !== undefined) query = query.where("messages.seq", "<=", uptoSeq);
      const rows = await query
        .orderBy("messages.rev", "asc")
        .limit(limit + 1)
        .execute();
      const page = capByBodyBytes(rows.slice(0, limit), LIMITS.pageMaxBodyBytes);
      return {
        messages: page.map((row) => toMessage(row, quoteOf(row))),
        rev: Number(conversation?.rev ?? 0),
        hasMore: rows.length > page.length,
      };
    },

    async findMessageById(id) {
      const row = await selectMessages(db).where("messages.id", "=", id).executeTakeFirst();
      return row && toMessage(row, quoteOf(row));
    },

    findMessageByClientId:
      sendPath.findMessageByClientId ??
      (async (senderId, clientId) => {
        const { rows } = await rerun(db, byClientIdQuery, [senderId, clientId]);
        return rows[0] && toMessage(rows[0], quoteOf(rows[0]));
      }),

    appendMessages,

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
          // Recomputed from the new body (a tombstone's "" mentions nobody), among the members of now.
          const mentions = changes.body.includes("@")
            ? mentionedIds(
                changes.body,
                (await currentMembers(trx, [target.conversationId])).get(target.conversationId) ?? [],
              )
            : [];
          // The guard, not any in-process queue, keeps a deleted message deleted.
          const row = await trx
            .updateTable("messages")
            .set({
              body: changes.body,
              rev: Number(rev),
              mentions: JSON.stringify(mentions),
              ...(changes.editedAt && { edited_at: changes.editedAt }),
              ...(changes.deletedAt && { deleted_at: changes.deletedAt }),
            })
            .where("id", "=", target.id)
            .where("deleted_at", "is", null)
            .returningAll()
            .executeTakeFirst();
          if (!row) throw new AlreadyDeleted();
          await trx.deleteFrom("message_mentions").where("message_id", "=", row.id).execute();
          await insertMentionRows(trx, mentionRows(row, mentions));
          const [message] = await withQuotes(trx, [row]);
          return message!;
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
          // The message at the new watermark tells how many of the peer's messages lie at or below
          // it: its ordinal if the peer sent it, else the rest of the seqs up to it.
          read_peer_count: eb
            .case()
            .when("read_seq", "<", readSeq)
            .then(
              eb
                .selectFrom("messages")
                .select((m) =>
                  m
                    .case()
                    .when("sender_id", "=", userId)
                    .then(sql<number>`${readSeq} - sender_ordinal`)
                    .else(m.ref("sender_ordinal"))
                    .end()
                    .as("peer_count"),
                )
                .where("messages.conversation_id", "=", conversationId)
                .where("messages.seq", "=", readSeq),
            )
            .else(eb.ref("read_peer_count"))
            .end(),
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
  return store;
}
