import { ID_PATTERN, groupConversationId } from "../../../shared/protocol";
import type { AddMembersResponse, Group, GroupResponse } from "../../../shared/protocol";
import { addMembersSchema, createGroupSchema, renameGroupSchema, setRoleSchema } from "../../../shared/schemas";
import type { Limiter, LimiterOptions } from "../auth/limits";
import { spend } from "../auth/limits";
import { AppError, notFound } from "../errors";
import { newId, nowIso } from "../lib/ids";
import type { createKeyedQueue } from "../lib/serial-queue";
import type { Store } from "../store";
import type { GroupChange, GroupMemberRecord, GroupRecord } from "../store/group-store";
import { parseInput } from "../validation";
import type { Broadcaster } from "./broadcaster";
import type { UserDirectory } from "./users";

type Deps = {
  store: Store;
  users: UserDirectory;
  broadcaster: Broadcaster;
  /** Orders a group's changes and sends on this node, so their broadcasts leave in seq order. */
  conversationQueue: ReturnType<typeof createKeyedQueue>;
  /** Group creations per user (GROUP_CREATE_PER_HOUR, 20 by default). */
  createLimiter: Limiter;
  maxMembers: number;
};

/** Group creations per user in an hour (PROTOCOL-v2 §10: 20 unless GROUP_CREATE_PER_HOUR says otherwise). */
export const groupCreateLimit = (perHour: number): LimiterOptions => ({
  keyPrefix: "group-create",
  points: perHour,
  duration: 3600,
});

const groupNotFound = () => notFound("group");
const ownersOnly = () => new AppError("FORBIDDEN", "only an owner of the group may do this");
const tooMany = (max: number) => new AppError("LIMIT_REACHED", `a group has at most ${max} members`);

/** The caller among the group's current members; anyone else is told the group does not exist. */
function memberOf(group: GroupRecord, userId: string): GroupMemberRecord {
  const member = group.members.find((m) => m.user.id === userId);
  if (!member) throw groupNotFound();
  return member;
}

function ownerOf(group: GroupRecord, userId: string): GroupMemberRecord {
  const member = memberOf(group, userId);
  if (member.role !== "owner") throw ownersOnly();
  return member;
}

/** A group as the wire sees it: its members with their presence. */
export async function presentGroup(users: UserDirectory, group: GroupRecord): Promise<Group> {
  const presented = await users.presentAll(group.members.map((m) => m.user));
  return { ...group, members: group.members.map((m, i) => ({ ...m, user: presented[i]! })) };
}

/**
 * `userId` leaves: a `left` message, and when they were its last owner and others remain, a `role` message
 * making the member who joined first (then the smallest id) owner.
 */
function leaving(group: GroupRecord, userId: string): GroupChange {
  const steps: GroupChange["steps"] = [{ event: { action: "left", userIds: [userId] }, leaves: [userId] }];
  const remaining = group.members.filter((m) => m.user.id !== userId);
  if (remaining.length > 0 && !remaining.some((m) => m.role === "owner")) {
    // The members come by joinedSeq, then id.
    const heir = remaining[0]!.user.id;
    steps.push({ event: { action: "role", userIds: [heir], role: "owner" }, roles: [{ userId: heir, role: "owner" }] });
  }
  return { steps };
}

/** Groups over HTTP (PROTOCOL-v2 §2): every change is a system message, told to the members before and after it. */
export function createGroups(deps: Deps) {
  const { store, users, broadcaster, conversationQueue, createLimiter, maxMembers } = deps;

  const present = (group: GroupRecord) => presentGroup(users, group);

  /**
   * NOT_FOUND unless the caller is a current member of the open group; FORBIDDEN for an owner's action
   * unless an owner. Checked again on the locked state; this first look answers before any other check.
   */
  async function requireMember(selfId: string, groupId: string, action: "owner" | "any"): Promise<void> {
    const membership = ID_PATTERN.test(groupId)
      ? await store.findMembership(groupConversationId(groupId), selfId)
      : undefined;
    if (!membership) throw groupNotFound();
    if (action === "owner" && membership.role !== "owner") throw ownersOnly();
  }

  /** Every id names a user, or NOT_FOUND. */
  async function requireUsers(userIds: string[]): Promise<void> {
    const found = await Promise.all(userIds.map((id) => users.exists(id)));
    if (found.includes(false)) throw notFound("user");
  }

  /**
   * Applies a change decided on the group's locked state, then tells everyone it concerns: its messages
   * to the members before and after (the removed one's last live event), and for each member who left,
   * their sockets leave the room and the others see them stop typing.
   */
  async function change(selfId: string, groupId: string, decide: (group: GroupRecord) => GroupChange) {
    const conversationId = groupConversationId(groupId);
    return conversationQueue(conversationId, async () => {
      const result = await store.changeGroup(groupId, selfId, decide);
      if (!result) throw groupNotFound();
      for (const message of result.messages) {
        broadcaster.messageNew(message, result.audience);
        const gone = message.system?.action === "left" || message.system?.action === "removed";
        for (const userId of gone ? message.system!.userIds : []) {
          broadcaster.leaveConversation(userId, conversationId);
          broadcaster.typing({ conversationId, userId, typing: false });
        }
      }
      return result.group;
    });
  }

  return {
    /** POST /api/groups: 201 with a new group, 200 with the one this creator already made with this clientId. */
    async create(selfId: string, body: unknown): Promise<{ created: boolean; response: GroupResponse }> {
      const { clientId, name, memberIds = [], history = "shared" } = parseInput(createGroupSchema, body);
      // A retry answers with the group this clientId made, while the creator is still in it.
      const retried = async (group: GroupRecord | undefined) => {
        if (!group?.members.some((m) => m.user.id === selfId)) throw groupNotFound();
        return { created: false, response: { group: await present(group) } };
      };
      const stored = await store.findGroupByClientId(selfId, clientId);
      if (stored) return retried(stored);
      await spend(createLimiter, selfId, "too many groups created; try again later");

      const others = [...new Set(memberIds)].filter((id) => id !== selfId);
      if (others.length + 1 > maxMembers) throw tooMany(maxMembers);
      await requireUsers(others);
      const created = await store.createGroup({
        id: newId(),
        name,
        history,
        createdBy: selfId,
        clientId,
        createdAt: nowIso(),
        memberIds: others,
      });
      // Null: a concurrent request with this clientId created it first.
      if (!created) return retried(await store.findGroupByClientId(selfId, clientId));
      broadcaster.messageNew(
        created.message,
        created.group.members.map((m) => m.user.id),
      );
      return { created: true, response: { group: await present(created.group) } };
    },

    async get(selfId: string, groupId: string): Promise<GroupResponse> {
      const group = ID_PATTERN.test(groupId) ? await store.findGroup(groupId) : undefined;
      if (!group) throw groupNotFound();
      memberOf(group, selfId);
      return { group: await present(group) };
    },

    /** PATCH: the same name again changes nothing and writes no message. */
    async rename(selfId: string, groupId: string, body: unknown): Promise<GroupResponse> {
      await requireMember(selfId, groupId, "owner");
      const { name } = parseInput(renameGroupSchema, body);
      const group = await change(selfId, groupId, (group) => {
        ownerOf(group, selfId);
        return group.name === name
          ? { steps: [] }
          : { name, steps: [{ event: { action: "renamed", userIds: [], name } }] };
      });
      return { group: await present(group) };
    },

    /** Adds those not yet members; an unknown user or too many adds nobody. */
    async addMembers(selfId: string, groupId: string, body: unknown): Promise<AddMembersResponse> {
      await requireMember(selfId, groupId, "owner");
      const { userIds } = parseInput(addMembersSchema, body);
      const requested = [...new Set(userIds)];
      await requireUsers(requested);
      let added: string[] = [];
      const group = await change(selfId, groupId, (group) => {
        ownerOf(group, selfId);
        const current = new Set(group.members.map((m) => m.user.id));
        added = requested.filter((id) => !current.has(id));
        if (added.length === 0) return { steps: [] };
        if (current.size + added.length > maxMembers) throw tooMany(maxMembers);
        return { steps: [{ event: { action: "added", userIds: added }, joins: added }] };
      });
      return { group: await present(group), added };
    },

    /** PUT …/members/:userId: demoting the last owner is refused; the role it has already changes nothing. */
    async setRole(selfId: string, groupId: string, userId: string, body: unknown): Promise<GroupResponse> {
      await requireMember(selfId, groupId, "owner");
      const { role } = parseInput(setRoleSchema, body);
      const group = await change(selfId, groupId, (group) => {
        ownerOf(group, selfId);
        const target = memberOf(group, userId);
        if (target.role === role) return { steps: [] };
        const owners = group.members.filter((m) => m.role === "owner");
        if (role === "member" && owners.length === 1)
          throw new AppError("VALIDATION", "a group needs an owner: make another member owner first");
        return { steps: [{ event: { action: "role", userIds: [userId], role }, roles: [{ userId, role }] }] };
      });
      return { group: await present(group) };
    },

    /** DELETE …/members/:userId: an owner removes a member; removing oneself is leaving. */
    async removeMember(selfId: string, groupId: string, userId: string): Promise<void> {
      await requireMember(selfId, groupId, userId === selfId ? "any" : "owner");
      await change(selfId, groupId, (group) => {
        if (userId === selfId) {
          memberOf(group, selfId);
          return leaving(group, selfId);
        }
        ownerOf(group, selfId);
        memberOf(group, userId);
        return { steps: [{ event: { action: "removed", userIds: [userId] }, leaves: [userId] }] };
      });
    },

    /** POST …/leave. */
    async leave(selfId: string, groupId: string): Promise<void> {
      await requireMember(selfId, groupId, "any");
      await change(selfId, groupId, (group) => {
        memberOf(group, selfId);
        return leaving(group, selfId);
      });
    },
  };
}

export type Groups = ReturnType<typeof createGroups>;
