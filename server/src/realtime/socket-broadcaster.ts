import { userRoom, type Message } from "../../../shared/protocol";
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
  const messageAudience = (message: Message) => conversationAudience(message.conversationId);

  return {
    messageNew: (message) => messageAudience(message).emit("message:new", message),
    messageUpdated: (message) => messageAudience(message).emit("message:updated", message),
    receipt: (event) => conversationAudience(event.conversationId).emit("receipt", event),
    typing: (event, recipientId) => io.to(userRoom(recipientId)).emit("typing", event),
    presence: (event, peerIds) => io.to([presenceRoom(event.userId), ...peerIds.map(userRoom)]).emit("presence", event),
    settings: (userId, settings) => io.to(userRoom(userId)).emit("conversation:settings", settings),
  };
}
