import { isGroupConversation, participantsOf, userRoom, type Message } from "../../../shared/protocol";
import type { Broadcaster } from "../chat/broadcaster";
import { presenceRoom } from "../chat/rooms";
import type { ParleyServer } from "./types";

/**
 * Broadcasts over Socket.IO rooms. `io.to([...rooms])` reaches each socket
 * once even when it is in several of the rooms.
 */
export function createSocketBroadcaster(io: ParleyServer): Broadcaster {
  function conversationAudience(conversationId: string, [a, b] = participantsOf(conversationId)) {
    return io.to([conversationId, userRoom(a), userRoom(b)]);
  }
  function messageAudience(message: Message, memberIds: readonly string[] = []) {
    // A one-to-one message names both participants: no need to split its conversation's id.
    if (message.recipientId !== null)
      return conversationAudience(message.conversationId, [message.senderId, message.recipientId]);
    // io.to([]) would reach every socket: a group message without its members is a bug, never a broadcast.
    if (memberIds.length === 0) throw new Error(`no audience for a message of ${message.conversationId}`);
    return io.to(memberIds.map(userRoom));
  }

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
    settings: (userId, settings) => io.to(userRoom(userId)).emit("conversation:settings", settings),
  };
}
