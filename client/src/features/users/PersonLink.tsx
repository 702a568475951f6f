import { Link } from "react-router-dom";
import type { User } from "../../../../shared/protocol";
import { PresenceDot, PresenceText } from "../presence/PresenceDot";

export function PersonLink({ user }: { user: User }) {
  return (
    <Link to={`/chat/${user.id}`} className="rounded-box hover:bg-base-200 flex items-center gap-3 px-3 py-2">
      <Avatar user={user} />
      <span className="flex min-w-0 flex-col">
        <span className="truncate font-medium">{user.displayName}</span>
        <span className="text-base-content/70 truncate text-sm">
          @{user.username} · <PresenceText user={user} />
        </span>
      </span>
    </Link>
  );
}

/** Initials in a circle (decoration: the name carries the meaning) with the presence dot on its corner. */
export function Avatar({ user, small = false }: { user: User; small?: boolean }) {
  const initials = user.displayName
    .split(/\s+/)
    .slice(0, 2)
    .map((part) => part[0] ?? "")
    .join("")
    .toUpperCase();
  return (
    <span className="relative inline-flex flex-none">
      <span
        aria-hidden="true"
        className={`bg-neutral text-neutral-content flex items-center justify-center rounded-full ${small ? "size-8 text-xs" : "size-10 text-sm"}`}
      >
        {initials}
      </span>
      <PresenceDot user={user} className="ring-base-100 absolute right-0 bottom-0 ring-2" />
    </span>
  );
}
