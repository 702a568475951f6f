import { createContext, useContext } from "react";
import type { ReplyQuote } from "../../../../shared/protocol";
import type { ChangeOutcome } from "./chatSlice";

/** What the chat views can ask of the route's socket; provided by the route (app/), which owns the socket. */
export type ChatActions = {
  send(body: string, replyTo?: ReplyQuote): void;
  retry(clientId: string): void;
  discard(clientId: string): void;
  edit(messageId: string, body: string): Promise<ChangeOutcome>;
  remove(messageId: string): Promise<ChangeOutcome>;
  /** Adds (true) or takes back (false) my reaction with this emoji. */
  react(messageId: string, emoji: string, add: boolean): Promise<ChangeOutcome>;
  rejoin(): void;
  reconnect(): void;
  notifyTyping(isTyping: boolean): void;
};

export const ChatActionsContext = createContext<ChatActions | null>(null);

export function useChatActions(): ChatActions {
  const actions = useContext(ChatActionsContext);
  if (actions === null) throw new Error("useChatActions is only available below a live chat route");
  return actions;
}
