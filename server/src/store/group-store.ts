import { sql } from "kysely";
import type { Kysely, Selectable } from "kysely";
import { groupConversationId } from "../../../shared/protocol";
import type { GroupHistory, Message, Role, SystemEvent } from "../../../shared/protocol";
import { newMessageId } from "../lib/ids";
import { mentionedIds } from "../../../shared/mentions";
import { currentMembers, insertMentionRows, withQuotes } from "./message-queries";
import { isUniqueViolation, mentionRows, newMessageRow, toMessage, toUserRecord } from "./rows";
import type { Database, MessagesTable } from "./schema";
import type { AdvancedWatermarks, PeerRecord, Watermarks } from "./types";
import { advanceMemberWatermarks } from "./watermarks";

export type GroupMemberRecord = {
  user: PeerRecord;
  role: Role;
  joinedSeq: number;
  deliveredSeq: number;
  readSeq: number;
};

/** An open group and its current members, by joinedSeq then id. */
export type GroupRecord = {
  id: string;
  conversationId: string;
  name: string;
  history: GroupHistory;
  createdBy: string;
  createdAt: string;
  members: GroupMemberRecord[];
};

/** A current member's standing in an open group. */
export type GroupMembership = {
  groupId: string;
  role: Role;
  joinedSeq: number;
  /** The first seq they see: 1 with shared history, else their joinedSeq. */
  visibleFromSeq: number;
};

export type NewGroup = {
  id: string;
  name: string;
  history: GroupHistory;
  createdBy: string;
  clientId: string;
  createdAt: string;
  /** Besides the creator, distinct. */
  memberIds: string[];
};

/** One system message and the membership changes it records. */
export type GroupStep = {
  event: SystemEvent;
  joins?: string[];
  leaves?: string[];
  roles?: { userId: string; role: Role }[];
};

/** What a change does to a group: a new name and its system messages, in order; no steps changes nothing. */
export type GroupChange = { name?: string; steps: GroupStep[] };

export type NewGroupMessage = {
  id: string;
  conversationId: string;
  senderId: string;
  clientId: string;
  body: string;
  createdAt: string;
  /** A visible, undeleted message of the group (the send checked it). */
  replyToId?: string | undefined;
};

/** Groups as stored (PROTOCOL-v2 §2): each change is a system message written in the change's transaction. */
export interface GroupStore {
  /** The open group with its current members. */
  findGroup(groupId: string): Promise<GroupRecord | undefined>;
  /** The group `createdBy` made with `clientId`, if still open. */
  findGroupByClientId(createdBy: string, clientId: string): Promise<GroupRecord | undefined>;
  /** Creates it with its `created` message (seq 1); null when the creator's clientId is taken. */
  createGroup(group: NewGroup): Promise<{ group: GroupRecord; message: Message } | null>;
  /**
   * Locks the group's conversation, reads its current state, and applies what `decide` returns (which may
   * throw to change nothing). The last member leaving closes the group. Undefined when no open group has
   * this id. `audience`: the members before and after, who are told.
   */
  changeGroup(
    groupId: string,
    actorId: string,
    decide: (group: GroupRecord) => GroupChange,
  ): Promise<{ group: GroupRecord; messages: Message[]; audience: string[] } | undefined>;
  /** The user's membership of the group conversation, when they are a current member of an open group. */
  findMembership(conversationId: string, userId: string): Promise<GroupMembership | undefined>;
  /**
   * Appends a text message in its own transaction, after the conversation row is locked, only while the
   * sender is a current member (null otherwise); a stored (sender, clientId) comes back with created false.
   * `memberIds`: the current members at the commit.
   */
  appendGroupMessage(
    message: NewGroupMessage,
  ): Promise<{ message: Message; created: boolean; memberIds: string[] } | null>;
  listGroupMemberIds(conversationId: string): Promise<string[]>;
  /** The conversations of the open groups the user is a current member of. */
  listGroupConversationIds(userId: string): Promise<string[]>;
  /** As advanceWatermarks, for a current member only (null otherwise), never below their joinedSeq. */
  advanceGroupWatermarks(
    conversationId: string,
    userId: string,
    requested: Partial<Watermarks>,
  ): Promise<AdvancedWatermarks | null>;
}

/** Aborts a transaction whose sender turned out not to be a member. */
class NotAMember extends Error {}

/** A system message's stored client id: ':' never occurs in a client's, so the (sender, client id) key stays unique. */
const systemClientId = (messageId: string) => `system:${messageId}`;

export function createGroupStore(db: Kysely<Database>): GroupStore {
  async function readGroup(executor: Kysely<Database>, groupId: string): Promise<GroupRecord | undefined> {
    const group = await executor
      .selectFrom("groups")
      .selectAll()
      .where("id", "=", groupId)
      .where("closed_at", "is", null)
      .executeTakeFirst();
    if (!group) return undefined;
    const members = await executor
      .selectFrom("conversation_members as m")
      .innerJoin("users as u", "u.id", "m.user_id")
      .select([
        "u.id",
        "u.username",
        "u.display_name",
        "u.created_at",
        "u.last_seen_at",
        "m.role",
        "m.joined_seq",
        "m.delivered_seq",
        "m.read_seq",
      ])
      .where("m.conversation_id", "=", group.conversation_id)
      .where("m.left_seq", "is", null)
      .orderBy("m.joined_seq")
      .orderBy("m.user_id")
      .execute();
    return {
      id: group.id,
      conversationId: group.conversation_id,
      name: group.name,
      history: group.history,
      createdBy: group.created_by,
      createdAt: group.created_at,
      members: members.map((m) => {
        const { createdAt: _, ...user } = toUserRecord(m);
        return {
          user,
          role: m.role ?? "member",
          joinedSeq: Number(m.joined_seq),
          deliveredSeq: Number(m.delivered_seq),
          readSeq: Number(m.read_seq),
        };
      }),
    };
  }

  function systemRow(
    conversationId: string,
    actorId: string,
    event: SystemEvent,
    numbers: { seq: number; rev: number; createdAt: string },
  ): Selectable<MessagesTable> {
    const id = newMessageId();
    return {
      id,
      conversation_id: conversationId,
      seq: numbers.seq,
      sender_id: actorId,
      client_id: systemClientId(id),
      body: "",
      created_at: numbers.createdAt,
      edited_at: null,
      deleted_at: null,
      rev: numbers.rev,
      // System messages are nobody's sent messages.
      sender_ordinal: 0,
      kind: "system",
      reply_to_id: null,
      mentions: "[]",
      reactions: "[]",
      system: JSON.stringify(event),
    };
  }

  /** A new membership from `seq`: a former member's row starts over, watermarks at the joining seq. */
  async function join(trx: Kysely<Database>, conversationId: string, userId: string, role: Role, seq: number) {
    const membership = {
      delivered_seq: seq,
      read_seq: seq,
      role,
      joined_seq: seq,
      left_seq: null,
    };
    await trx
      .insertInto("conversation_members")
      .values({ conversation_id: conversationId, user_id: userId, sent_count: 0, read_peer_count: 0, ...membership })
      .onConflict((oc) => oc.columns(["conversation_id", "user_id"]).doUpdateSet(membership))
      .execute();
  }

  const memberIdsOf = async (executor: Kysely<Database>, conversationId: string) =>
    (
      await executor
        .selectFrom("conversation_members")
        .select("user_id")
        .where("conversation_id", "=", conversationId)
        .where("left_seq", "is", null)
        .execute()
    ).map((row) => row.user_id);

  async function findMessageByClientId(senderId: string, clientId: string): Promise<Message | undefined> {
    const row = await db
      .selectFrom("messages")
      .selectAll()
      .where("sender_id", "=", senderId)
      .where("client_id", "=", clientId)
      .executeTakeFirst();
    return row && toMessage(row);
  }

  return {
    findGroup: (groupId) => readGroup(db, groupId),

    async findGroupByClientId(createdBy, clientId) {
      const row = await db
        .selectFrom("groups")
        .select("id")
        .where("created_by", "=", createdBy)
        .where("client_id", "=", clientId)
        .executeTakeFirst();
      return row && readGroup(db, row.id);
    },

    async createGroup(group) {
      const conversationId = groupConversationId(group.id);
      const userIds = [group.createdBy, ...group.memberIds];
      try {
        return await db.transaction().execute(async (trx) => {
          // A group's conversation names its creator in both user columns (migration 0004).
          await trx
            .insertInto("conversations")
            .values({
              id: conversationId,
              user_a: group.createdBy,
              user_b: group.createdBy,
              last_seq: 1,
              rev: 1,
              last_message_at: group.createdAt,
              kind: "group",
            })
            .execute();
          await trx
            .insertInto("groups")
            .values({
              id: group.id,
              conversation_id: conversationId,
              name: group.name,
              history: group.history,
              created_by: group.createdBy,
              client_id: group.clientId,
              created_at: group.createdAt,
              closed_at: null,
            })
            .execute();
          for (const userId of userIds)
            await join(trx, conversationId, userId, userId === group.createdBy ? "owner" : "member", 1);
          const row = systemRow(
            conversationId,
            group.createdBy,
            { action: "created", userIds, name: group.name },
            { seq: 1, rev: 1, createdAt: group.createdAt },
          );
          await trx.insertInto("messages").values(row).execute();
          return { group: (await readGroup(trx, group.id))!, message: toMessage(row) };
        });
      } catch (error) {
        // The creator's clientId was taken meanwhile (a concurrent retry): the caller finds that group.
        if (isUniqueViolation(error)) return null;
        throw error;
      }
    },

    async changeGroup(groupId, actorId, decide) {
      return db.transaction().execute(async (trx) => {
        const conversationId = groupConversationId(groupId);
        // Locks the conversation row: changes and sends of this group are applied one at a time.
        const locked = await trx
          .updateTable("conversations")
          .set({ last_seq: sql<number>`last_seq` })
          .where("id", "=", conversationId)
          .returning(["last_seq", "rev"])
          .executeTakeFirst();
        const before = locked && (await readGroup(trx, groupId));
        if (!locked || !before) return undefined;
        const change = decide(before);
        if (change.steps.length === 0) return { group: before, messages: [], audience: [] };

        const createdAt = new Date().toISOString();
        const lastSeq = Number(locked.last_seq);
        const lastRev = Number(locked.rev);
        const rows = change.steps.map((step, i) =>
          systemRow(conversationId, actorId, step.event, { seq: lastSeq + 1 + i, rev: lastRev + 1 + i, createdAt }),
        );
        await trx
          .updateTable("conversations")
          .set({ last_seq: lastSeq + rows.length, rev: lastRev + rows.length, last_message_at: createdAt })
          .where("id", "=", conversationId)
          .execute();
        if (change.name !== undefined)
          await trx.updateTable("groups").set({ name: change.name }).where("id", "=", groupId).execute();
        await trx.insertInto("messages").values(rows).execute();
        for (const [i, step] of change.steps.entries()) {
          const seq = lastSeq + 1 + i;
          for (const userId of step.joins ?? []) await join(trx, conversationId, userId, "member", seq);
          if (step.leaves?.length) {
            await trx
              .updateTable("conversation_members")
              .set({ left_seq: seq, role: null })
              .where("conversation_id", "=", conversationId)
              .where("user_id", "in", step.leaves)
              .execute();
            // Leaving resets the notification settings (v2 §9): a re-added member starts from the defaults.
            await trx
              .deleteFrom("conversation_settings")
              .where("conversation_id", "=", conversationId)
              .where("user_id", "in", step.leaves)
              .execute();
          }
          for (const { userId, role } of step.roles ?? [])
            await trx
              .updateTable("conversation_members")
              .set({ role })
              .where("conversation_id", "=", conversationId)
              .where("user_id", "=", userId)
              .execute();
        }
        const after = await readGroup(trx, groupId);
        // The last member left: the group is gone for everyone, its id never reused.
        if (after!.members.length === 0)
          await trx.updateTable("groups").set({ closed_at: createdAt }).where("id", "=", groupId).execute();
        const audience = new Set([...before.members, ...after!.members].map((m) => m.user.id));
        return { group: after!, messages: rows.map((row) => toMessage(row)), audience: [...audience] };
      });
    },

    async findMembership(conversationId, userId) {
      const row = await db
        .selectFrom("conversation_members as m")
        .innerJoin("groups as g", "g.conversation_id", "m.conversation_id")
        .select(["g.id", "g.history", "m.role", "m.joined_seq"])
        .where("m.conversation_id", "=", conversationId)
        .where("m.user_id", "=", userId)
        .where("m.left_seq", "is", null)
        .where("g.closed_at", "is", null)
        .executeTakeFirst();
      if (!row) return undefined;
      const joinedSeq = Number(row.joined_seq);
      return {
        groupId: row.id,
        role: row.role ?? "member",
        joinedSeq,
        visibleFromSeq: row.history === "joined" ? joinedSeq : 1,
      };
    },

    async appendGroupMessage(m) {
      try {
        return await db.transaction().execute(async (trx) => {
          // Locking the conversation first orders this send with membership changes: a removal committed
          // before it leaves no member row below.
          const bumped = await trx
            .updateTable("conversations")
            .set({
              last_seq: sql<number>`last_seq + 1`,
              rev: sql<number>`rev + 1`,
              last_message_at: m.createdAt,
            })
            .where("id", "=", m.conversationId)
            .where("kind", "=", "group")
            .returning(["last_seq", "rev"])
            .executeTakeFirst();
          const sender =
            bumped &&
            (await trx
              .updateTable("conversation_members")
              .set({ sent_count: sql<number>`sent_count + 1` })
              .where("conversation_id", "=", m.conversationId)
              .where("user_id", "=", m.senderId)
              .where("left_seq", "is", null)
              .returning("sent_count")
              .executeTakeFirst());
          if (!bumped || !sender) throw new NotAMember();
          // A body without '@' mentions nobody: no member lookup.
          const mentions = m.body.includes("@")
            ? mentionedIds(m.body, (await currentMembers(trx, [m.conversationId])).get(m.conversationId) ?? [])
            : [];
          const row = newMessageRow(
            m,
            { seq: Number(bumped.last_seq), rev: Number(bumped.rev), ordinal: Number(sender.sent_count) },
            mentions,
          );
          await trx.insertInto("messages").values(row).execute();
          await insertMentionRows(trx, mentionRows(row, mentions));
          const [message] = await withQuotes(trx, [row]);
          return { message: message!, created: true, memberIds: await memberIdsOf(trx, m.conversationId) };
        });
      } catch (error) {
        if (error instanceof NotAMember) return null;
        // The same clientId was stored meanwhile (a retry through another node): that message is the answer.
        const stored = isUniqueViolation(error) ? await findMessageByClientId(m.senderId, m.clientId) : undefined;
        if (!stored) throw error;
        return { message: stored, created: false, memberIds: [] };
      }
    },

    listGroupMemberIds: (conversationId) => memberIdsOf(db, conversationId),

    async listGroupConversationIds(userId) {
      const rows = await db
        .selectFrom("conversation_members as m")
        .innerJoin("conversations as c", "c.id", "m.conversation_id")
        .select("c.id")
        .where("m.user_id", "=", userId)
        .where("c.kind", "=", "group")
        .where("m.left_seq", "is", null)
        .execute();
      return rows.map((row) => row.id);
    },

    advanceGroupWatermarks: (conversationId, userId, requested) =>
      advanceMemberWatermarks(db, conversationId, userId, requested, { countsPeerReads: false }),
  };
}
