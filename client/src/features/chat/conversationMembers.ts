import { createContext, useContext } from "react";
import type { User } from "../../../../shared/protocol";

/**
 * Who takes part in the open conversation, as the chat route knows them (a DM: me and the peer; a group: its
 * members). Rows name senders and reactors from it and the composer offers it for @-mentions, without
 * threading it through the memoized rows.
 */
export type ConversationMembers = { selfId: string; members: readonly User[] };

export const ConversationMembersContext = createContext<ConversationMembers>({ selfId: "", members: [] });

export function useConversationMembers(): ConversationMembers {
  return useContext(ConversationMembersContext);
}

/** A user's display name, or a neutral stand-in for someone no longer (or not yet) known here. */
export function displayNameOf({ members }: ConversationMembers, userId: string): string {
  return members.find((member) => member.id === userId)?.displayName ?? "Someone";
}
