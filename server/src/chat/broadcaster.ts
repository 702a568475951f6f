import type { ConversationSettings, Message, PresenceEvent, ReceiptEvent, TypingEvent } from "../../../shared/protocol";

/** How the domain tells connected clients what happened; implemented over Socket.IO. */
export interface Broadcaster {
  /**
   * A DM's: to the conversation room and both participants' user rooms; a group's: to `memberIds`' user
   * rooms. Once per socket either way.
   */
  messageNew(message: Message, memberIds?: readonly string[]): void;
  messageUpdated(message: Message, memberIds?: readonly string[]): void;
  /** A DM's: to the conversation room and both participants; a group's: to its room and the reader's sockets. */
  receipt(event: ReceiptEvent): void;
  /** A DM's: to the peer's sockets; a group's (no peer): to sockets joined to it, except the typist's. */
  typing(event: TypingEvent, peerId?: string): void;
  /** To the given users, to every socket that joined a conversation with `event.userId`, and to their groups' rooms. */
  presence(event: PresenceEvent, peerIds: string[], groupConversationIds: string[]): void;
  /** The user's sockets leave the conversation's room, on every node. */
  leaveConversation(userId: string, conversationId: string): void;
  /** To the user's own sockets, on every node. */
  settings(userId: string, settings: ConversationSettings): void;
}
