import {
  LIMITS,
  conversationIdFor,
  type ConversationPageResponse,
  type ConversationSummary,
  type Message,
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
