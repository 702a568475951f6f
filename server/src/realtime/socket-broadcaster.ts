import { isGroupConversation, userRoom, type Message } from "../../../shared/protocol";
import type { Broadcaster } from "../chat/broadcaster";
import { participantsOf, presenceRoom } from "../chat/rooms";
import type { ParleyServer } from "./types";

/**
 * Broadcasts over Socket.IO rooms. `io.to([...rooms])` reaches each socket
 * once even when it is in several of the rooms.
 */
export function createSocketBroadcaster(io: ParleyServer): Broadcaster {
  function conversationAudience(conversationId: string) {
    const [a, b] = participantsOf(conversationId);
    return io.to([conversationId, userRoom(a), userRoom(b)]);
  }
  const messageAudience = (message: Message, memberIds: readonly string[] = []) =>
    isGroupConversation(message.conversationId)
      ? io.to(memberIds.map(userRoom))
      : conversationAudience(message.conversationId);

  return {
    messageNew: (message, memberIds) => messageAudience(message, memberIds).emit("message:new", message),
    messageUpdated: (message, memberIds) => messageAudience(message, memberIds).emit("message:updated", message),
    receipt: (event) =>
      (isGroupConversation(event.conversationId)
        ? io.to([event.conversationId, userRoom(event.userId)])
        : conversationAudience(event.conversationId)
      ).emit("receipt", event),
    typing: (event, peerId) =>
      (peerId === undefined
        ? io.to(event.conversationId).except(userRoom(event.userId))
        : io.to(userRoom(peerId))
      ).emit("typing", event),
    presence: (event, peerIds, groupConversationIds) =>
      io.to([presenceRoom(event.userId), ...peerIds.map(userRoom), ...groupConversationIds]).emit("presence", event),
    leaveConversation: (userId, conversationId) => io.in(userRoom(userId)).socketsLeave(conversationId),
  };
}
