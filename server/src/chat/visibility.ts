import { isGroupConversation } from "../../../shared/protocol";
import type { Message } from "../../../shared/protocol";
import { notFound } from "../errors";
import type { Store } from "../store";
import type { GroupMembership } from "../store/group-store";
import { isParticipant } from "./rooms";

/**
 * Which conversations and messages a user may see and act on (edit, delete, react, reply to): the one place
 * that decides, so every event that names a message by id answers a stranger the same NOT_FOUND, whether it
 * exists or not. One-to-one: its two participants. A group: its current members, from their visibleFromSeq.
 */
export function createVisibility(store: Store) {
  /** The caller's membership of a group conversation; NOT_FOUND for anyone else, former members included. */
  async function groupMembership(selfId: string, conversationId: string): Promise<GroupMembership> {
    const membership = await store.findMembership(conversationId, selfId);
    if (!membership) throw notFound("conversation");
    return membership;
  }

  return {
    groupMembership,
    isGroupMember: async (selfId: string, conversationId: string) =>
      (await store.findMembership(conversationId, selfId)) !== undefined,

    /** Whom a change of the conversation's messages is told: a group's current members; a DM's room and pair (undefined). */
    messageAudience: async (conversationId: string): Promise<string[] | undefined> =>
      isGroupConversation(conversationId) ? store.listGroupMemberIds(conversationId) : undefined,

    async visibleMessage(selfId: string, messageId: string): Promise<Message> {
      const found = await store.findMessageById(messageId);
      if (found && isGroupConversation(found.conversationId)) {
        const membership = await store.findMembership(found.conversationId, selfId);
        if (membership && found.seq >= membership.visibleFromSeq) return found;
      } else if (found && isParticipant(found.conversationId, selfId)) {
        return found;
      }
      throw notFound("message");
    },
  };
}

export type Visibility = ReturnType<typeof createVisibility>;
