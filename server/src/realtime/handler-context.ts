import type { Conversations } from "../chat/conversations";
import type { Messages } from "../chat/messages";
import type { Reactions } from "../chat/reactions";
import type { Receipts } from "../chat/receipts";
import type { Broadcaster } from "../chat/broadcaster";
import type { TypingThrottle } from "../chat/typing-throttle";
import type { UserDirectory } from "../chat/users";
import type { Visibility } from "../chat/visibility";
import type { EventBinder } from "./on-event";
import type { ParleySocket } from "./types";

/** The domain services every socket's handlers share. */
export type Services = {
  users: UserDirectory;
  conversations: Conversations;
  messages: Messages;
  reactions: Reactions;
  receipts: Receipts;
  broadcaster: Broadcaster;
  visibility: Visibility;
  shouldRelayTyping: TypingThrottle;
};

export type HandlerContext = { socket: ParleySocket; events: EventBinder; services: Services };
