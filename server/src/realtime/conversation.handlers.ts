import { conversationIdFor } from "../../../shared/protocol";
import { leaveSchema } from "../../../shared/schemas";
import { peerIdOf } from "../chat/conversation-ref";
import { presenceRoom } from "../chat/rooms";
import { parseInput } from "../validation";
import type { HandlerContext } from "./handler-context";

export function registerConversationHandlers({ socket, events, services }: HandlerContext): void {
  const selfId = socket.data.userId;

  events.onAcked("conversation:join", (payload) =>
    services.conversations.join(selfId, payload, async (conversationId, peerId) => {
      // The presence room makes the peer's online/offline changes reach this socket.
      await socket.join([conversationId, presenceRoom(peerId)]);
    }),
  );

  events.onAcked("conversation:leave", async (payload) => {
    const peerId = peerIdOf(selfId, parseInput(leaveSchema, payload));
    await services.users.require(peerId);
    await socket.leave(conversationIdFor(selfId, peerId));
    await socket.leave(presenceRoom(peerId));
    return {};
  });
}
