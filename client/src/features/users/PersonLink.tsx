import { Link } from "react-router-dom";
import type { User } from "../../../../shared/protocol";

export function PersonLink({ user }: { user: User }) {
  return (
    <Link
      to={`/chat/${user.id}`}
      className="flex items-center gap-3 rounded-box px-3 py-2 hover:bg-base-200 focus-visible:outline-2"
    >
      <Avatar user={user} />
      <span className="flex min-w-0 flex-col">
        <span className="truncate font-medium">{user.displayName}</span>
        <span className="text-base-content/60 truncate text-sm">@{user.username}</span>
      </span>
    </Link>
  );
}

/** Initials in a circle; the online ring is decoration, the name carries the meaning. */
export function Avatar({ user, size = "w-10" }: { user: Pick<User, "displayName" | "online">; size?: string }) {
  const initials = user.displayName
    .split(/\s+/)
    .slice(0, 2)
    .map((part) => part[0] ?? "")
    .join("")
    .toUpperCase();
  return (
    <span className={`avatar avatar-placeholder ${user.online ? "avatar-online" : ""}`} aria-hidden="true">
      <span className={`bg-neutral text-neutral-content rounded-full ${size}`}>
        <span className="text-sm">{initials}</span>
      </span>
    </span>
  );
}
