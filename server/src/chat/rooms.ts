import { participantsOf } from "../../../shared/protocol";

export function isParticipant(conversationId: string, userId: string): boolean {
  return participantsOf(conversationId).includes(userId);
}

/** Sockets watching a user's presence: those that joined a conversation with them. Server-side only. */
export function presenceRoom(userId: string): string {
  return `presence:${userId}`;
}
