import type { User } from "../../../../shared/protocol";

export type Presence = Pick<User, "online" | "lastSeenAt">;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const dateFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

/** "Online", "Last seen 5 min ago" (a week at most, then the date), or "Offline" when never seen. */
export function describePresence({ online, lastSeenAt }: Presence, now: number): string {
  if (online) return "Online";
  if (lastSeenAt === null) return "Offline";
  const seenAt = Date.parse(lastSeenAt);
  if (Number.isNaN(seenAt)) return "Offline";
  // A clock slightly behind the server's must not say "in 2 min".
  const ago = Math.max(0, now - seenAt);
  if (ago < MINUTE) return "Last seen just now";
  if (ago < HOUR) return `Last seen ${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `Last seen ${Math.floor(ago / HOUR)} h ago`;
  if (ago < 2 * DAY) return "Last seen yesterday";
  if (ago < 7 * DAY) return `Last seen ${Math.floor(ago / DAY)} days ago`;
  return `Last seen ${dateFormat.format(seenAt)}`;
}
