import { sql } from "kysely";
import type { CompiledQuery, Kysely, Selectable, Transaction } from "kysely";
import { mentionedIds } from "../../../shared/mentions";
import { LIMITS } from "../../../shared/protocol";
import type { Message, NotifyLevel } from "../../../shared/protocol";
import { createGroupStore } from "./group-store";
import {
  capByBodyBytes,
  isUniqueViolation,
  mentionRows,
  newMessageRow,
  quoteOf,
  retryingUniqueViolations,
  toMessage,
  toReactions,
  toUserRecord,
} from "./rows";
import type { ReplyColumns } from "./rows";
import type { Database, MessageMentionsTable, MessagesTable } from "./schema";
import {
  MESSAGE_COLUMNS,
  REPLY_COLUMNS,
  currentMembers,
  insertMentionRows,
  pairKey,
  selectMessages,
  storedByClientId,
  withQuotes,
} from "./message-queries";
import type {
  AppendResult,
  ConversationSummaryRecord,
  NewMessage,
  ReactionLimits,
  ReactionOutcome,
  Store,
} from "./types";
import { advanceMemberWatermarks, NO_WATERMARKS, toWatermarks } from "./watermarks";

const USER_COLUMNS = ["id", "username", "display_name", "created_at", "last_seen_at"] as const;
/** Aborts a change's transaction when the message was deleted first. */
class AlreadyDeleted extends Error {}

/** Aborts a reaction change's transaction, rev bump included, with what the caller is told instead. */
class ReactionNotStored extends Error {
  constructor(readonly outcome: Exclude<ReactionOutcome, { result: "changed" }>) {
    super(outcome.result);
  }
}

/**
 * Takes the conversation's next rev. On PostgreSQL this locks the conversation's row until commit,
 * so a conversation's changes run one at a time and get their revs in commit order.
 */
async function nextRev(trx: Transaction<Database>, conversationId: string): Promise<number> {
  const { rev } = await trx
    .updateTable("conversations")
    .set({ rev: sql<number>`rev + 1` })
    .where("id", "=", conversationId)
    .returning("rev")
    .executeTakeFirstOrThrow();
  return Number(rev);
}

/** LIKE pattern for a literal prefix: escapes the wildcards with '\'. */
function likePrefix(text: string): string {
  return `${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A LIMIT whose value is bound when the query runs. SQLite plans with a bare LIMIT parameter's value,
 * so binding it again makes the statement prepare afresh on every run (docs/benchmarks.md); the value
 * of an expression is read as the statement runs.
 */
function boundLimit(limit: number) {
  return sql<number>`${limit} + 0`;
}

/** A compiled query run again with other parameters, in the order they appear in the SQL. */
function rerun<Row>(db: Kysely<Database>, query: CompiledQuery<Row>, parameters: unknown[]) {
  return db.executeQuery<Row>({ ...query, parameters });
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
    const known = await storedByClientId(trx, batch);
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

/** A DM's row has the peer's columns, a group's the group's. */
type ConversationListRow = Omit<Selectable<MessagesTable>, "sender_ordinal"> &
  ReplyColumns & {
    conversation_kind: "dm" | "group";
    peer_id: string | null;
    peer_username: string | null;
    peer_display_name: string | null;
    peer_last_seen_at: string | null;
    my_read_seq: number;
    my_read_peer_count: number;
    my_role: "owner" | "member" | null;
    my_mention_count: number | string;
    peer_sent_count: number | null;
    peer_read_seq: number | null;
    peer_delivered_seq: number | null;
    group_id: string | null;
    group_name: string | null;
    group_member_count: number | null;
    group_unread: number | null;
    notify: NotifyLevel | null;
    muted_until: string | null;
  };

function toSummary(row: ConversationListRow, userId: string): ConversationSummaryRecord {
  // The kind's fields are assigned onto the common ones: spreading them into a new literal made the
  // mapping of a page five times dearer (docs/benchmarks.md).
  const common = {
    conversationId: row.conversation_id,
    lastMessage: toMessage(row, quoteOf(row)),
    readSeq: Number(row.my_read_seq),
    mentionCount: Number(row.my_mention_count),
    // No settings row: the defaults.
    notify: row.notify ?? "all",
    mutedUntil: row.muted_until,
  };
  if (row.conversation_kind === "group") {
    return Object.assign(common, {
      kind: "group" as const,
      group: {
        id: row.group_id!,
        name: row.group_name!,
        memberCount: Number(row.group_member_count),
        role: row.my_role ?? "member",
      },
      unreadCount: Number(row.group_unread),
    });
  }
  const withSelf = row.peer_id === userId;
  return Object.assign(common, {
    kind: "dm" as const,
    peer: {
      id: row.peer_id!,
      username: row.peer_username!,
      displayName: row.peer_display_name!,
      lastSeenAt: row.peer_last_seen_at,
    },
    // Unread: the peer's messages above my read watermark; my own never count.
    unreadCount: withSelf ? 0 : Number(row.peer_sent_count) - Number(row.my_read_peer_count),
    peerReadSeq: Number(row.peer_read_seq),
    peerDeliveredSeq: Number(row.peer_delivered_seq),
  });
}

/**
 * The repository over Kysely. Queries stay dialect-neutral (no SQLite-only
 * syntax) so a PostgresDialect can run the same code. A dialect may bring
 * its own send path (SQLite does: statements prepared once).
 */
export function createKyselyStore(
  db: Kysely<Database>,
  sendPath: Partial<Pick<Store, "appendMessages" | "appendGroupMessages" | "findMessageByClientId">> = {},
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
  // A page is picked as ids alone, from the index of my current rows and their conversations (the
  // sort of a thousand rows carries ids and nothing more); only its own rows are read whole, then
  // joined further. The peer's member row is found by its whole key (the other participant).
  // A group's row (one I am a current member of) joins the group, counts its members and my unread
  // messages instead of a peer: O(members + unread), nothing written per member per message.
  // Parameters: the user's id, then a page's position (its activity time twice, its id) and limit;
  // constants are literals, so they take no place among them.
  const isGroup = sql.lit<"group">("group");
  function conversationListQuery(page: { positioned: boolean; limited: boolean }) {
    let picked = db
      .selectFrom("conversation_members as m")
      .innerJoin("conversations as c", "c.id", "m.conversation_id")
      .where("m.user_id", "=", "")
      .where("m.left_seq", "is", null)
      .select(["c.id", "m.user_id"]);
    if (page.positioned) {
      picked = picked.where((eb) =>
        eb.or([eb("c.last_message_at", "<", ""), eb.and([eb("c.last_message_at", "=", ""), eb("c.id", ">", "")])]),
      );
    }
    if (page.limited) picked = picked.orderBy("c.last_message_at", "desc").orderBy("c.id").limit(boundLimit(0));
    return db
      .with(
        // Materialized: PostgreSQL plans it apart from the joins below, which planned together took
        // longer to plan than to run.
        (cte) => cte("page").materialized(),
        (qb) =>
          qb
            .selectFrom(picked.as("picked"))
            .innerJoin("conversations as c", "c.id", "picked.id")
            .innerJoin("conversation_members as mine", (join) =>
              join.onRef("mine.conversation_id", "=", "c.id").onRef("mine.user_id", "=", "picked.user_id"),
            )
            .select([
              "c.id",
              "c.kind",
              "c.last_message_at",
              "c.last_seq",
              "c.user_a",
              "c.user_b",
              "mine.user_id",
              "mine.role",
              "mine.read_seq",
              "mine.read_peer_count",
            ]),
      )
      .selectFrom("page as mine")
      .leftJoin("conversation_members as peer", (join) =>
        // The other participant's row; in a conversation with myself, my own.
        join
          .onRef("peer.conversation_id", "=", "mine.id")
          .on((eb) => eb("mine.kind", "!=", isGroup))
          .on((eb) =>
            eb(
              "peer.user_id",
              "=",
              eb
                .case()
                .when("mine.user_a", "=", eb.ref("mine.user_id"))
                .then(eb.ref("mine.user_b"))
                .else(eb.ref("mine.user_a"))
                .end(),
            ),
          ),
      )
      .innerJoin("messages as last", (join) =>
        join.onRef("last.conversation_id", "=", "mine.id").onRef("last.seq", "=", "mine.last_seq"),
      )
      .leftJoin("users as peer_user", "peer_user.id", "peer.user_id")
      .leftJoin("groups as g", "g.conversation_id", "mine.id")
      .leftJoin("messages as parent", "parent.id", "last.reply_to_id")
      .leftJoin("conversation_settings as settings", (join) =>
        join.onRef("settings.user_id", "=", "mine.user_id").onRef("settings.conversation_id", "=", "mine.id"),
      )
      .select(MESSAGE_COLUMNS.map((c) => `last.${c}` as const))
      .select(REPLY_COLUMNS)
      .select((eb) => [
        "mine.kind as conversation_kind",
        "mine.role as my_role",
        "g.id as group_id",
        "g.name as group_name",
        eb
          .case()
          .when("mine.kind", "=", isGroup)
          .then(
            eb
              .selectFrom("conversation_members as member")
              .select((m) => m.fn.countAll<number>().as("n"))
              .whereRef("member.conversation_id", "=", "mine.id")
              .where("member.left_seq", "is", null),
          )
          .end()
          .as("group_member_count"),
        // §6: text messages above my read watermark (never below my joinedSeq), not mine, not deleted.
        eb
          .case()
          .when("mine.kind", "=", isGroup)
          .then(
            eb
              .selectFrom("messages as unread")
              .select((m) => m.fn.countAll<number>().as("n"))
              .whereRef("unread.conversation_id", "=", "mine.id")
              .whereRef("unread.seq", ">", "mine.read_seq")
              .where("unread.kind", "=", sql.lit<"text">("text"))
              .whereRef("unread.sender_id", "!=", "mine.user_id")
              .where("unread.deleted_at", "is", null),
          )
          .end()
          .as("group_unread"),
      ])
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
        "settings.notify",
        "settings.muted_until",
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
  // Σ over my current member rows by index, each with a group's unread count (as the list counts them)
  // and my settings by key: like the list, the cost grows with my conversations and a group's unread,
  // never with a DM's messages. A DM's unread is the list's peer sent_count - my read_peer_count without
  // reading the peer's row (the dearest part of this query): every DM message is one of its two members'
  // and seqs have no gaps, so the peer has sent last_seq - my sent_count, 0 with myself.
  // Parameters: now, the user's id (in the order the SQL reads them).
  const totalsQuery = db
    .selectFrom((eb) =>
      eb
        .selectFrom("conversation_members as mine")
        .innerJoin("conversations as c", "c.id", "mine.conversation_id")
        .leftJoin("conversation_settings as settings", (join) =>
          join
            .onRef("settings.user_id", "=", "mine.user_id")
            .onRef("settings.conversation_id", "=", "mine.conversation_id"),
        )
        .where("mine.user_id", "=", "")
        .where("mine.left_seq", "is", null)
        .select((c) => [
          // The list's unreadCount (toSummary).
          c
            .case()
            .when("c.kind", "=", isGroup)
            .then(
              c
                .selectFrom("messages as unread")
                .select((m) => m.fn.countAll<number>().as("n"))
                .whereRef("unread.conversation_id", "=", "mine.conversation_id")
                .whereRef("unread.seq", ">", "mine.read_seq")
                .where("unread.kind", "=", sql.lit<"text">("text"))
                .whereRef("unread.sender_id", "!=", "mine.user_id")
                .where("unread.deleted_at", "is", null),
            )
            .else(sql<number>`c.last_seq - mine.sent_count - mine.read_peer_count`)
            .end()
            .as("unread"),
          // The list's mentionCount.
          unreadMentionCount({
            conversationId: "mine.conversation_id",
            userId: "mine.user_id",
            readSeq: "mine.read_seq",
          }).as("mentions"),
          // Muted: the level is none until the mute ends.
          c
            .case()
            .when("settings.muted_until", ">", "")
            .then(sql.lit("none"))
            .else(c.fn.coalesce("settings.notify", sql.lit("all")))
            .end()
            .as("level"),
        ])
        .as("c"),
    )
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<number>("c.unread"), sql.lit(0)).as("unread"),
      eb.fn
        .coalesce(
          eb.fn.sum<number>(
            eb
              .case()
              .when("c.level", "=", sql.lit("all"))
              .then(eb.ref("c.unread"))
              .when("c.level", "=", sql.lit("mentions"))
              .then(eb.ref("c.mentions"))
              .else(sql.lit(0))
              .end(),
          ),
          sql.lit(0),
        )
        .as("badge"),
    ])
    .compile();
  const pageQuery = selectMessages(db).where("messages.conversation_id", "=", "").where("messages.seq", ">=", 0);
  // Parameters: conversation, the first visible seq, [cursor,] limit.
  const pageQueries = {
    after: pageQuery.where("messages.seq", ">", 0).orderBy("messages.seq", "asc").limit(boundLimit(0)).compile(),
    before: pageQuery.where("messages.seq", "<", 0).orderBy("messages.seq", "desc").limit(boundLimit(0)).compile(),
    newest: pageQuery.orderBy("messages.seq", "desc").limit(boundLimit(0)).compile(),
  };

  const writeBatch = sendPath.appendMessages ?? ((batch: NewMessage[]) => appendBatch(db, batch));
  const appendMessages = (batch: NewMessage[]): Promise<AppendResult[]> =>
    retryingUniqueViolations(batch.length, () => writeBatch(batch));

  /**
   * One reaction change in one transaction, after taking the conversation's next rev (whose lock makes
   * the message's deleted state and reactions read here the ones the change lands on). `write` says
   * whether a row changed and `exceeds` may name a limit the result breaks; a change that did nothing
   * or is refused leaves no trace, rev included. A kept one rewrites the message's reactions.
   */
  async function changeReactions(
    target: { id: string; conversationId: string },
    write: (trx: Transaction<Database>) => Promise<boolean>,
    exceeds: (rows: { user_id: string; emoji: string }[]) => keyof ReactionLimits | null = () => null,
  ): Promise<ReactionOutcome> {
    return db
      .transaction()
      .execute(async (trx): Promise<ReactionOutcome> => {
        const rev = await nextRev(trx, target.conversationId);
        const { deleted_at } = await trx
          .selectFrom("messages")
          .select("deleted_at")
          .where("id", "=", target.id)
          .executeTakeFirstOrThrow();
        if (deleted_at !== null) throw new ReactionNotStored({ result: "deleted" });
        if (!(await write(trx))) throw new ReactionNotStored({ result: "unchanged" });
        const rows = await trx
          .selectFrom("message_reactions")
          .select(["user_id", "emoji"])
          .where("message_id", "=", target.id)
          // Reaction order; ties (one millisecond) by user, then emoji, so every reader gets one order.
          .orderBy("created_at")
          .orderBy("user_id")
          .orderBy("emoji")
          .execute();
        const limit = exceeds(rows);
        if (limit) throw new ReactionNotStored({ result: "limit", limit });
        const row = await trx
          .updateTable("messages")
          .set({ reactions: JSON.stringify(toReactions(rows)), rev })
          .where("id", "=", target.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return { result: "changed", message: toMessage(row) };
      })
      .catch((error: unknown) => {
        if (error instanceof ReactionNotStored) return error.outcome;
        throw error;
      });
  }

  const groups = createGroupStore(db);
  const store: Store = {
    ...groups,
    appendGroupMessages: sendPath.appendGroupMessages ?? groups.appendGroupMessages,

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
      const rows = await query.orderBy("username").limit(boundLimit(limit)).execute();
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

    async conversationTotals(userId, now) {
      const { rows } = await rerun(db, totalsQuery, [now, userId]);
      return { unread: Number(rows[0]?.unread ?? 0), badge: Number(rows[0]?.badge ?? 0) };
    },

    async updateConversationSettings(userId, conversationId, changes) {
      const row = await db
        .insertInto("conversation_settings")
        .values({
          user_id: userId,
          conversation_id: conversationId,
          notify: changes.notify ?? "all",
          muted_until: changes.mutedUntil ?? null,
        })
        // One statement: concurrent changes of different fields (other tabs, other nodes) both stay.
        .onConflict((oc) =>
          oc.columns(["user_id", "conversation_id"]).doUpdateSet((eb) => ({
            notify: eb.ref(changes.notify === undefined ? "conversation_settings.notify" : "excluded.notify"),
            muted_until: eb.ref(
              changes.mutedUntil === undefined ? "conversation_settings.muted_until" : "excluded.muted_until",
            ),
          })),
        )
        .returning(["notify", "muted_until"])
        .executeTakeFirstOrThrow();
      return { notify: row.notify, mutedUntil: row.muted_until };
    },

    async listPeerIds(userId) {
      const rows = await db
        .selectFrom("conversations")
        .select(["user_a", "user_b"])
        .where("kind", "=", "dm")
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

    async listMessages(conversationId, { beforeSeq, afterSeq, limit, fromSeq = 1 }) {
      // One row past the page tells whether more exist; the byte cap may end the page sooner.
      if (afterSeq !== undefined) {
        const { rows } = await rerun(db, pageQueries.after, [conversationId, fromSeq, afterSeq, limit + 1]);
        const page = capByBodyBytes(rows.slice(0, limit), LIMITS.pageMaxBodyBytes);
        return { messages: page.map((row) => toMessage(row, quoteOf(row))), hasMore: rows.length > page.length };
      }
      const { rows } =
        beforeSeq !== undefined
          ? await rerun(db, pageQueries.before, [conversationId, fromSeq, beforeSeq, limit + 1])
          : await rerun(db, pageQueries.newest, [conversationId, fromSeq, limit + 1]);
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

    async listChanges(conversationId, { sinceRev, uptoSeq, limit, fromSeq = 1 }) {
      const conversation = await db
        .selectFrom("conversations")
        .select("rev")
        .where("id", "=", conversationId)
        .executeTakeFirst();
      let query = selectMessages(db)
        .where("messages.conversation_id", "=", conversationId)
        .where("messages.seq", ">=", fromSeq)
        .where("messages.rev", ">", sinceRev);
      if (uptoSeq !== undefined) query = query.where("messages.seq", "<=", uptoSeq);
      const rows = await query
        .orderBy("messages.rev", "asc")
        .limit(boundLimit(limit + 1))
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
          const rev = await nextRev(trx, target.conversationId);
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
              rev,
              mentions: JSON.stringify(mentions),
              ...(changes.editedAt && { edited_at: changes.editedAt }),
              ...(changes.deletedAt && { deleted_at: changes.deletedAt, reactions: "[]" }),
            })
            .where("id", "=", target.id)
            .where("deleted_at", "is", null)
            .returningAll()
            .executeTakeFirst();
          if (!row) throw new AlreadyDeleted();
          // A tombstone keeps no reactions; the rev lock keeps a reaction from landing after this.
          if (changes.deletedAt)
            await trx.deleteFrom("message_reactions").where("message_id", "=", target.id).execute();
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

    async addReaction(target, { userId, emoji, at }, limits) {
      return changeReactions(
        target,
        async (trx) => {
          // The key settles a concurrent add of the same reaction: it finds this row and stores nothing.
          const inserted = await trx
            .insertInto("message_reactions")
            .values({ message_id: target.id, user_id: userId, emoji, created_at: at })
            .onConflict((oc) => oc.columns(["message_id", "user_id", "emoji"]).doNothing())
            .returning("emoji")
            .executeTakeFirst();
          return inserted !== undefined;
        },
        (rows) => {
          if (rows.filter((r) => r.user_id === userId).length > limits.maxPerUser) return "maxPerUser";
          // Joining an emoji already there is never refused for the distinct limit.
          const isNewEmoji = rows.filter((r) => r.emoji === emoji).length === 1;
          if (isNewEmoji && new Set(rows.map((r) => r.emoji)).size > limits.maxDistinct) return "maxDistinct";
          return null;
        },
      );
    },

    async removeReaction(target, { userId, emoji }) {
      return changeReactions(target, async (trx) => {
        const { numDeletedRows } = await trx
          .deleteFrom("message_reactions")
          .where("message_id", "=", target.id)
          .where("user_id", "=", userId)
          .where("emoji", "=", emoji)
          .executeTakeFirst();
        return numDeletedRows > 0n;
      });
    },

    async advanceWatermarks(conversationId, userId, requested) {
      // No message yet: no member row, and every watermark stays 0.
      const advanced = await advanceMemberWatermarks(db, conversationId, userId, requested, { countsPeerReads: true });
      return advanced ?? { ...NO_WATERMARKS, changed: false };
    },
  };
  return store;
}
