import { sql } from "kysely";
import type { Kysely, Selectable } from "kysely";
import { groupConversationId } from "../../../shared/protocol";
import type { GroupHistory, Message, Role, SystemEvent } from "../../../shared/protocol";
import { newMessageId } from "../lib/ids";
import { mentionedIds } from "../../../shared/mentions";
import { currentMembers, insertMentionRows, pairKey, storedByClientId, withQuotes } from "./message-queries";
import {
  isUniqueViolation,
  mentionRows,
  newMessageRow,
  retryingUniqueViolations,
  toMessage,
  toUserRecord,
} from "./rows";
import type { Database, MessageMentionsTable, MessagesTable } from "./schema";
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

export type GroupAppendResult = { message: Message; created: boolean; memberIds: string[] };

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
   * Appends a batch of text messages to one group in one transaction, after its conversation row is
   * locked: each only while its sender is a current member (null otherwise, nothing written for it); a
   * stored (sender, clientId), or a repeat within the batch, comes back with created false. The new
   * ones are numbered in batch order. `memberIds`: a new message's audience, the current members at
   * the commit.
   */
  appendGroupMessages(batch: NewGroupMessage[]): Promise<Array<GroupAppendResult | null>>;
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

  /** appendGroupMessages' transaction: a handful of statements whatever the batch's size. */
  async function appendGroupBatch(
    trx: Kysely<Database>,
    batch: NewGroupMessage[],
  ): Promise<Array<GroupAppendResult | null>> {
    const conversationId = batch[0]!.conversationId;
    // Locking the conversation row first (as changeGroup does) orders these sends with membership
    // changes: a removal committed before them leaves no member row below.
    const counters = await trx
      .updateTable("conversations")
      .set({ last_seq: sql<number>`last_seq` })
      .where("id", "=", conversationId)
      .where("kind", "=", "group")
      .returning(["last_seq", "rev"])
      .executeTakeFirst();
    const known = await storedByClientId(trx, batch);
    const members = (await currentMembers(trx, [conversationId])).get(conversationId) ?? [];
    const memberIds = members.map((member) => member.id);
    const isMember = new Set(memberIds);

    // Each send's fate: stored already, refused (null), or the index of the new message it is (a
    // repeat within the batch points at the first).
    type Fate = { stored: Message } | { index: number; repeat: boolean } | null;
    const fresh: NewGroupMessage[] = [];
    const freshIndex = new Map<string, number>();
    const fates = batch.map((m): Fate => {
      const key = pairKey(m.senderId, m.clientId);
      const stored = known.get(key);
      if (stored) return { stored };
      if (!counters || !isMember.has(m.senderId)) return null;
      const first = freshIndex.get(key);
      if (first !== undefined) return { index: first, repeat: true };
      freshIndex.set(key, fresh.length);
      return { index: fresh.push(m) - 1, repeat: false };
    });
    const results = (messages: Message[]) =>
      fates.map((fate): GroupAppendResult | null => {
        if (!fate) return null;
        if ("stored" in fate) return { message: fate.stored, created: false, memberIds: [] };
        return { message: messages[fate.index]!, created: !fate.repeat, memberIds: fate.repeat ? [] : memberIds };
      });
    if (!counters || fresh.length === 0) return results([]);

    const lastSeq = Number(counters.last_seq);
    const lastRev = Number(counters.rev);
    await trx
      .updateTable("conversations")
      .set({ last_seq: lastSeq + fresh.length, rev: lastRev + fresh.length, last_message_at: fresh.at(-1)!.createdAt })
      .where("id", "=", conversationId)
      .execute();
    const sentBy = new Map<string, number>();
    for (const m of fresh) sentBy.set(m.senderId, (sentBy.get(m.senderId) ?? 0) + 1);
    const addSent = sql.join(
      [...sentBy].map(([userId, count]) => sql`when ${userId} then cast(${count} as integer)`),
      sql` `,
    );
    const sentCounts = await trx
      .updateTable("conversation_members")
      .set({ sent_count: sql<number>`sent_count + case user_id ${addSent} end` })
      .where("conversation_id", "=", conversationId)
      .where("user_id", "in", [...sentBy.keys()])
      .returning(["user_id", "sent_count"])
      .execute();
    // A sender's ordinals run up to their count after the batch.
    const nextOrdinal = new Map(
      sentCounts.map((row) => [row.user_id, Number(row.sent_count) - sentBy.get(row.user_id)! + 1]),
    );
    const mentioned: Selectable<MessageMentionsTable>[] = [];
    const rows = fresh.map((m, i) => {
      const ordinal = nextOrdinal.get(m.senderId)!;
      nextOrdinal.set(m.senderId, ordinal + 1);
      // A body without '@' mentions nobody.
      const mentions = m.body.includes("@") ? mentionedIds(m.body, members) : [];
      const row = newMessageRow(m, { seq: lastSeq + i + 1, rev: lastRev + i + 1, ordinal }, mentions);
      mentioned.push(...mentionRows(row, mentions));
      return row;
    });
    await trx.insertInto("messages").values(rows).execute();
    await insertMentionRows(trx, mentioned);
    return results(await withQuotes(trx, rows));
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

    // A clientId can be committed outside this group's lock (sent to another conversation meanwhile).
    appendGroupMessages: (batch) =>
      retryingUniqueViolations(batch.length, () => db.transaction().execute((trx) => appendGroupBatch(trx, batch))),

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
