import { conversationIdFor } from "../../../shared/protocol";
import { leaveSchema } from "../../../shared/schemas";
import { groupConversationOf, peerIdOf } from "../chat/conversation-ref";
import { presenceRoom } from "../chat/rooms";
import { parseInput } from "../validation";
import type { HandlerContext } from "./handler-context";

export function registerConversationHandlers({ socket, events, services }: HandlerContext): void {
  const selfId = socket.data.userId;

  events.onAcked("conversation:join", (payload) =>
    services.conversations.join(selfId, payload, {
      // A DM's presence room makes the peer's online/offline changes reach this socket; a group's own
      // room carries its members' changes.
      enter: async (conversationId, peerId) => {
        await socket.join(peerId === undefined ? conversationId : [conversationId, presenceRoom(peerId)]);
      },
      leave: async (conversationId) => {
        await socket.leave(conversationId);
      },
    }),
  );

  events.onAcked("conversation:leave", async (payload) => {
    const ref = parseInput(leaveSchema, payload);
    const group = groupConversationOf(ref);
    if (group) {
      await services.visibility.groupMembership(selfId, group);
      await socket.leave(group);
      return {};
    }
    const peerId = peerIdOf(selfId, ref);
    await services.users.require(peerId);
    await socket.leave(conversationIdFor(selfId, peerId));
    await socket.leave(presenceRoom(peerId));
    return {};
  });
}
