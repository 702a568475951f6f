import { isGroupConversation } from "../../../shared/protocol";
import type { Message } from "../../../shared/protocol";
import { notFound } from "../errors";
import type { Store } from "../store";
import { isParticipant } from "./rooms";

/**
 * Which messages a user may see and act on (edit, delete, react, reply to): the one place that decides,
 * so every event that names a message by id answers a stranger the same NOT_FOUND, whether it exists
 * or not. One-to-one: its two participants.
 */
export function createVisibility(store: Store) {
  return {
    async visibleMessage(selfId: string, messageId: string): Promise<Message> {
      const found = await store.findMessageById(messageId);
      const visible =
        found !== undefined &&
        !isGroupConversation(found.conversationId) &&
        isParticipant(found.conversationId, selfId);
      if (!visible) throw notFound("message");
      return found;
    },
  };
}

export type Visibility = ReturnType<typeof createVisibility>;
