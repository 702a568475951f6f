import type { UnknownAction } from "@reduxjs/toolkit";
import { EVENTS, type ServerToClientEvents } from "../../../shared/protocol";
import { messageReceived, messageUpdated, receiptReceived, typingReceived } from "../features/chat/chatSlice";
import { conversationSettingsReceived } from "../features/conversations/conversationsSlice";
import { presenceReceived } from "../features/presence/presenceSlice";
import { assertNever } from "../lib/assertNever";

export type ServerEventName = keyof ServerToClientEvents;

/** Every server event as a tagged value, derived from the protocol so a new event cannot be forgotten here. */
export type ServerEvent = {
  [Name in ServerEventName]: { name: Name; payload: Parameters<ServerToClientEvents[Name]>[0] };
}[ServerEventName];

/** The server events a route socket listens to; the list the lifecycle registers and removes. */
export const SERVER_EVENT_NAMES = [
  EVENTS.messageNew,
  EVENTS.messageUpdated,
  EVENTS.receiptUpdated,
  EVENTS.typing,
  EVENTS.presence,
  EVENTS.settings,
] as const satisfies readonly ServerEventName[];

/** What happened, as the store hears it: pure, one action per server event. */
export function translate(event: ServerEvent): UnknownAction {
  switch (event.name) {
    case EVENTS.messageNew:
      return messageReceived(event.payload);
    case EVENTS.messageUpdated:
      return messageUpdated(event.payload);
    case EVENTS.receiptUpdated:
      return receiptReceived(event.payload);
    case EVENTS.typing:
      return typingReceived(event.payload);
    case EVENTS.presence:
      return presenceReceived(event.payload);
    case EVENTS.settings:
      return conversationSettingsReceived(event.payload);
    default:
      return assertNever(event);
  }
}
