import { conversationIdFor, type Message, type User } from "../../../shared/protocol";

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
    ...overrides,
  };
}
