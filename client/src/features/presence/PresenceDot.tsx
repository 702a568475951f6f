import type { User } from "../../../../shared/protocol";
import { useNow } from "../../lib/useNow";
import { describePresence } from "./describePresence";
import { usePresence } from "./usePresence";

/** The green dot on an avatar; the tooltip says when an offline user was last seen. */
export function PresenceDot({ user, className = "" }: { user: User; className?: string }) {
  const presence = usePresence(user);
  const now = useNow();
  return (
    <span
      role="img"
      aria-label={presence.online ? "Online" : "Offline"}
      title={describePresence(presence, now)}
      className={`status ${presence.online ? "status-success" : ""} ${className}`}
    />
  );
}

/** "Online", "Last seen 5 min ago" or "Offline", kept current as time passes. */
export function PresenceText({ user, className = "", testId }: { user: User; className?: string; testId?: string }) {
  const presence = usePresence(user);
  const now = useNow();
  return (
    <span className={className} data-testid={testId}>
      {describePresence(presence, now)}
    </span>
  );
}
