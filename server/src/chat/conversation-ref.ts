import { conversationIdFor, peerOf } from "../../../shared/protocol";
import type { ConversationRef } from "../../../shared/protocol";

// Not a user id (ID_PATTERN refuses ""), so every check answers it as it answers an unknown peer.
const NOBODY = "";

/**
 * The peer a payload's ref names (v2 §0): its `peerId`, or the other participant of a DM id naming the
 * caller. Any other conversation id (another pair's DM, a group's: none exists yet) resolves to nobody,
 * so it gets an unknown peer's NOT_FOUND and never tells whether a conversation of others exists.
 */
export function peerIdOf(selfId: string, ref: ConversationRef): string {
  if (ref.peerId !== undefined) return ref.peerId;
  const conversationId = ref.conversationId ?? NOBODY;
  const peerId = peerOf(conversationId, selfId);
  return conversationIdFor(selfId, peerId) === conversationId ? peerId : NOBODY;
}
