import { NavLink } from "react-router-dom";
import { formatShortTime } from "../../lib/format";
import { useNow } from "../../lib/useNow";
import { useSignedInUser } from "../auth/SignedInUser";
import { GroupAvatar } from "../groups/GroupAvatar";
import { memberCount } from "../groups/memberCount";
import { systemPreview } from "../chat/systemText";
import { PresenceText } from "../presence/PresenceDot";
import { Avatar } from "../users/PersonLink";
import { notifyLevelOf } from "../../lib/notifyLevel";
import { badgeCountOf, type ListedConversation } from "./selectors";

/**
 * A conversation in a list: peer or group, last message preview, its time and the badge its notify level allows
 * (unread, or unread mentions; absent at 0 and while muted, which an icon shows).
 */
export function ConversationLink({
  conversation,
  compact = false,
}: {
  conversation: ListedConversation;
  compact?: boolean;
}) {
  const me = useSignedInUser();
  const { peer, group, lastMessage, unread } = conversation;
  const now = useNow();
  const level = notifyLevelOf(conversation, now);
  const badge = badgeCountOf(conversation, now);
  return (
    <NavLink
      to={peer ? `/chat/${peer.id}` : `/group/${group.id}`}
      className={({ isActive }) =>
        `flex items-center gap-2 rounded-box hover:bg-base-200 ${compact ? "px-2 py-1.5" : "gap-3 px-3 py-2"} ${isActive ? "bg-base-200" : ""}`
      }
    >
      {peer ? <Avatar user={peer} small={compact} /> : <GroupAvatar name={group.name} small={compact} />}
      <span className="flex min-w-0 flex-1 flex-col">
        <span className="flex items-baseline justify-between gap-2">
          <span className={`truncate ${unread > 0 ? "font-semibold" : "font-medium"}`}>
            {peer ? peer.displayName : group.name}
          </span>
          {lastMessage && (
            <time className="text-base-content/60 flex-none text-xs" dateTime={lastMessage.createdAt}>
              {formatShortTime(lastMessage.createdAt)}
            </time>
          )}
        </span>
        <span className="text-base-content/70 truncate text-sm">{preview(lastMessage, me.id)}</span>
        {!compact &&
          (peer ? (
            <PresenceText user={peer} className="text-base-content/70 truncate text-xs" />
          ) : (
            <span className="text-base-content/70 truncate text-xs">{memberCount(group.memberCount)}</span>
          ))}
      </span>
      {level === "none" && (
        <span data-testid="muted" title="Muted" className="text-base-content/60 flex-none">
          <span aria-hidden="true">🔕</span>
          <span className="sr-only">Muted</span>
        </span>
      )}
      {badge > 0 &&
        (level === "mentions" ? (
          <span className="badge badge-primary badge-sm">
            <span aria-hidden="true">@</span>
            <span data-testid="mention-count">{badge}</span>
            <span className="sr-only"> unread {badge === 1 ? "mention" : "mentions"}</span>
          </span>
        ) : (
          <span className="badge badge-primary badge-sm">
            <span data-testid="unread-count">{badge}</span>
            <span className="sr-only"> unread</span>
          </span>
        ))}
    </NavLink>
  );
}

function preview(message: ListedConversation["lastMessage"], myId: string): string {
  if (message === null) return "No messages yet";
  if (message.kind === "system") return systemPreview(message);
  const text = message.deletedAt === null ? message.body : "Message deleted";
  return message.senderId === myId ? `You: ${text}` : text;
}
