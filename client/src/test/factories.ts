import {
  LIMITS,
  conversationIdFor,
  groupConversationId,
  type ConversationPageResponse,
  type ConversationSummary,
  type Group,
  type GroupMember,
  type GroupSummary,
  type Message,
  type Role,
  type SystemEvent,
  type User,
} from "../../../shared/protocol";

export function makeUser(overrides: Partial<User> = {}): User {
  const id = overrides.id ?? "alice";
  return {
    id,
    username: id,
    displayName: id[0]?.toUpperCase() + id.slice(1),
    online: false,
    lastSeenAt: null,
    ...overrides,
  };
}

export function makeMessage(overrides: Partial<Message> & Pick<Message, "seq">): Message {
  const senderId = overrides.senderId ?? "alice";
  const recipientId = overrides.recipientId ?? "bob";
  return {
    id: `m${overrides.seq}`,
    conversationId: conversationIdFor(senderId, recipientId),
    senderId,
    recipientId,
    clientId: `client-${overrides.seq}-${senderId}`,
    body: `message ${overrides.seq}`,
    createdAt: new Date(Date.UTC(2025, 0, 1, 12, 0, overrides.seq)).toISOString(),
    editedAt: null,
    deletedAt: null,
    rev: overrides.seq,
    kind: "text",
    replyTo: null,
    attachments: [],
    reactions: [],
    mentions: [],
    system: null,
    ...overrides,
  };
}

/** What the chat hands the slice when alice sends `body` to bob, before the server has it. */
export function makeOutgoing(clientId: string, body = `body of ${clientId}`) {
  return {
    clientId,
    conversationId: conversationIdFor("alice", "bob"),
    senderId: "alice",
    recipientId: "bob",
    body,
    createdAt: "2025-01-01T12:00:00.000Z",
  };
}

/** Where the client asks for the conversation list's first page. */
export const FIRST_LIST_PAGE = `/api/conversations?limit=${LIMITS.conversationPageDefault}`;

/** A page of the conversation list; without a cursor, the last one. */
export function listPage(
  conversations: ConversationSummary[],
  nextBefore: string | null = null,
): ConversationPageResponse {
  return { conversations, totals: totalsOf(conversations), hasMore: nextBefore !== null, nextBefore };
}

/** The totals a list of these conversations answers with, every one notifying on all messages. */
function totalsOf(conversations: ConversationSummary[]) {
  const unread = conversations.reduce((sum, c) => sum + c.unreadCount, 0);
  return { unread, badge: unread };
}

/** A group of alice (owner), bob and carol unless told otherwise; every watermark at 0. */
export function makeGroup(overrides: Partial<Group> = {}): Group {
  const id = overrides.id ?? "g1";
  return {
    id,
    conversationId: groupConversationId(id),
    name: "Trip",
    history: "shared",
    createdBy: "alice",
    createdAt: "2025-01-01T12:00:00.000Z",
    members: [makeMember("alice", "owner"), makeMember("bob", "member"), makeMember("carol", "member")],
    ...overrides,
  };
}

export function makeMember(userId: string, role: Role = "member", overrides: Partial<GroupMember> = {}): GroupMember {
  return { user: makeUser({ id: userId }), role, joinedSeq: 1, deliveredSeq: 0, readSeq: 0, ...overrides };
}

/** A text message in group `g1` (its conversation "grp:g1"). */
export function makeGroupMessage(overrides: Partial<Message> & Pick<Message, "seq">): Message {
  return makeMessage({ conversationId: groupConversationId("g1"), recipientId: null, ...overrides });
}

/** A system message of group `g1`: `senderId` is the actor. */
export function makeSystemMessage(seq: number, senderId: string, system: SystemEvent): Message {
  return makeGroupMessage({ seq, senderId, kind: "system", body: "", clientId: "", system });
}

/** The list's line of group `g1`, as the server answers it for a member with `role`. */
export function groupSummary(overrides: Partial<GroupSummary> = {}): GroupSummary {
  return {
    kind: "group",
    conversationId: groupConversationId("g1"),
    group: { id: "g1", name: "Trip", memberCount: 3, role: "member" },
    lastMessage: makeSystemMessage(1, "alice", { action: "created", userIds: ["alice", "bob", "carol"] }),
    unreadCount: 0,
    readSeq: 1,
    mentionCount: 0,
    notify: "all",
    mutedUntil: null,
    ...overrides,
  };
}
