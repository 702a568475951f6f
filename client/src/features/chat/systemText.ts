import type { Message, SystemEvent } from "../../../../shared/protocol";
import { assertNever } from "../../lib/assertNever";

/** Who a system message names once they are no longer members: their names are no longer known. */
export const FORMER_MEMBER = "A former member";

const listFormat = new Intl.ListFormat("en", { style: "long", type: "conjunction" });

/** A system message as the timeline's note: "Alice added Bob and Carol", "Carol is now an owner". */
export function describeSystemEvent(actorId: string, event: SystemEvent, nameOf: (userId: string) => string): string {
  const actor = nameOf(actorId);
  const people = listFormat.format(event.userIds.map(nameOf));
  switch (event.action) {
    case "created":
      return `${actor} created the group`;
    case "added":
      return `${actor} added ${people}`;
    case "removed":
      return `${actor} removed ${people}`;
    case "left":
      return `${people} left`;
    case "renamed":
      return `${actor} renamed the group to “${event.name ?? ""}”`;
    case "role": {
      const owner = event.role === "owner";
      if (event.userIds.length === 1) return `${people} is now ${owner ? "an owner" : "a member"}`;
      return `${people} are now ${owner ? "owners" : "members"}`;
    }
    default:
      return assertNever(event.action);
  }
}

/** A system message as the conversation list's one-line preview, where members' names are not at hand. */
export function systemPreview(message: Message): string {
  const event = message.system;
  if (event === null) return "";
  switch (event.action) {
    case "created":
      return "Group created";
    case "added":
      return event.userIds.length === 1 ? "New member" : "New members";
    case "removed":
      return "A member was removed";
    case "left":
      return "A member left";
    case "renamed":
      return `Renamed to “${event.name ?? ""}”`;
    case "role":
      return "Roles changed";
    default:
      return assertNever(event.action);
  }
}
