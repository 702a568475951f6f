import type { ConversationSettings, Message, PresenceEvent, ReceiptEvent, TypingEvent } from "../../../shared/protocol";

/** How the domain tells connected clients what happened; implemented over Socket.IO. */
export interface Broadcaster {
  /** To the conversation room and both participants' user rooms, once per socket. */
  messageNew(message: Message): void;
  messageUpdated(message: Message): void;
  receipt(event: ReceiptEvent): void;
  typing(event: TypingEvent, recipientId: string): void;
  /** To the given users and to every socket that joined a conversation with `event.userId`. */
  presence(event: PresenceEvent, peerIds: string[]): void;
  /** To the user's own sockets, on every node. */
  settings(userId: string, settings: ConversationSettings): void;
}
