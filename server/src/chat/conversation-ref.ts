import { conversationIdFor, isGroupConversation, peerOf } from "../../../shared/protocol";
import type { ConversationRef } from "../../../shared/protocol";

// Not a user id (ID_PATTERN refuses ""), so every check answers it as it answers an unknown peer.
const NOBODY = "";

/** The group conversation a ref names (`grp:<groupId>`); undefined for a one-to-one ref. */
export function groupConversationOf(ref: ConversationRef): string | undefined {
  return ref.conversationId !== undefined && isGroupConversation(ref.conversationId) ? ref.conversationId : undefined;
}

/**
 * The peer a one-to-one payload's ref names (v2 §0): its `peerId`, or the other participant of a DM id
 * naming the caller. Another pair's DM id resolves to nobody, so it gets an unknown peer's NOT_FOUND and
 * never tells whether a conversation of others exists. A group's ref is resolved by membership instead
 * (groupConversationOf, then Visibility).
 */
export function peerIdOf(selfId: string, ref: ConversationRef): string {
  if (ref.peerId !== undefined) return ref.peerId;
  const conversationId = ref.conversationId ?? NOBODY;
  const peerId = peerOf(conversationId, selfId);
  return conversationIdFor(selfId, peerId) === conversationId ? peerId : NOBODY;
}
