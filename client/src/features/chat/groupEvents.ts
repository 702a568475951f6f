import type { Group, Message } from "../../../../shared/protocol";
import { assertNever } from "../../lib/assertNever";

/**
 * Folds a live system message into the group as last joined, so the header and "seen by" follow membership
 * without a refetch. An `added` message names ids only: the route fetches the group for the new members' names.
 */
export function applySystemEvent(group: Group, message: Message): void {
  const event = message.system;
  if (event === null) return;
  switch (event.action) {
    case "renamed":
      if (event.name !== undefined) group.name = event.name;
      return;
    case "removed":
    case "left":
      group.members = group.members.filter((member) => !event.userIds.includes(member.user.id));
      return;
    case "role":
      for (const member of group.members) {
        if (event.role !== undefined && event.userIds.includes(member.user.id)) member.role = event.role;
      }
      return;
    case "created":
    case "added":
      return;
    default:
      assertNever(event.action);
  }
}

/** Whether the system message ends `userId`'s membership: their last live event from the group. */
export function endsMembership(message: Message, userId: string): boolean {
  const event = message.system;
  return (event?.action === "removed" || event?.action === "left") && event.userIds.includes(userId);
}
