import { conversationIdFor, isGroupConversation, type ConversationRef } from "../../../../shared/protocol";

/**
 * What a route opens: a peer's id (one-to-one) or a group's conversation id, as the protocol's `ref` takes
 * either (v2 §0). Ids never contain ':', so a ref with one is a conversation id.
 */
export type RouteConversation = { conversationId: string; peerId: string | null };

export function routeConversation(ref: string, selfId: string): RouteConversation {
  return ref.includes(":")
    ? { conversationId: ref, peerId: null }
    : { conversationId: conversationIdFor(selfId, ref), peerId: ref };
}

/** The group's id in its conversation id ("grp:<groupId>"); null for a DM's. */
export function groupIdOf(conversationId: string): string | null {
  return isGroupConversation(conversationId) ? conversationId.slice(conversationId.indexOf(":") + 1) : null;
}

/** The payload field naming the conversation: a DM by its peer (as in v1), a group by its conversation id. */
export function refPayload({ conversationId, peerId }: RouteConversation): ConversationRef {
  return peerId === null ? { conversationId } : { peerId };
}

/** The `:ref` of /api/conversations/:ref/… paths: the peer's id or the conversation id. */
export function pathRef({ conversationId, peerId }: RouteConversation): string {
  return peerId ?? conversationId;
}
