import { conversationIdFor } from "../../../shared/protocol";
import { typingSchema } from "../../../shared/schemas";
import { groupConversationOf, peerIdOf } from "../chat/conversation-ref";
import { parseInput } from "../validation";
import type { HandlerContext } from "./handler-context";

export function registerTypingHandlers({ socket, events, services }: HandlerContext): void {
  const selfId = socket.data.userId;
  events.onSignal("typing", async (payload) => {
    const { typing, ...ref } = parseInput(typingSchema, payload);
    const group = groupConversationOf(ref);
    if (group) {
      // Members only: a removed member's typing is dropped, on whichever node it arrives.
      if (!(await services.visibility.isGroupMember(selfId, group))) return;
      if (!(await services.shouldRelayTyping(selfId, group, typing))) return;
      services.broadcaster.typing({ conversationId: group, userId: selfId, typing });
      return;
    }
    const peerId = peerIdOf(selfId, ref);
    // In a chat with yourself there is nobody else to tell.
    if (peerId === selfId) return;
    // Typing reaches real users only: an unknown id is dropped before it takes any throttle state.
    if (!(await services.users.exists(peerId))) return;
    const conversationId = conversationIdFor(selfId, peerId);
    if (!(await services.shouldRelayTyping(selfId, conversationId, typing))) return;
    services.broadcaster.typing({ conversationId, userId: selfId, typing }, peerId);
  });
}
