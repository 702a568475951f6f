import { useId } from "react";
import { Link } from "react-router-dom";
import type { ConversationSummary } from "../../../../shared/protocol";
import { useApiGet } from "../../api/useApiGet";
import { assertNever } from "../../lib/assertNever";
import { formatDateTime } from "../../lib/format";
import { useSignedInUser } from "../auth/SignedInUser";
import { Avatar } from "../users/PersonLink";

export function ConversationList() {
  const id = useId();
  const result = useApiGet<{ conversations: ConversationSummary[] }>("/api/conversations");

  return (
    <section className="card bg-base-100 shadow" aria-labelledby={`${id}-title`}>
      <div className="card-body gap-3">
        <h2 id={`${id}-title`} className="card-title">
          Conversations
        </h2>
        {renderResult()}
      </div>
    </section>
  );

  function renderResult() {
    switch (result.status) {
      case "loading":
        return <span className="loading loading-dots loading-md" aria-label="Loading conversations" />;
      case "error":
        return (
          <div role="alert" className="alert alert-error alert-soft">
            {result.error.message}
          </div>
        );
      case "success":
        if (result.data.conversations.length === 0) {
          return <p className="text-base-content/70">No conversations yet. Find someone under People and say hello.</p>;
        }
        return (
          <ul className="flex flex-col gap-1">
            {result.data.conversations.map((conversation) => (
              <li key={conversation.conversationId}>
                <ConversationLink conversation={conversation} />
              </li>
            ))}
          </ul>
        );
      default:
        return assertNever(result);
    }
  }
}

function ConversationLink({ conversation }: { conversation: ConversationSummary }) {
  const me = useSignedInUser();
  const { peer, lastMessage, unreadCount } = conversation;
  return (
    <Link to={`/chat/${peer.id}`} className="flex items-center gap-3 rounded-box px-3 py-2 hover:bg-base-200">
      <Avatar user={peer} />
      <span className="flex min-w-0 flex-1 flex-col">
        <span className="flex items-baseline justify-between gap-2">
          <span className="truncate font-medium">{peer.displayName}</span>
          {lastMessage && (
            <time className="text-base-content/60 flex-none text-xs" dateTime={lastMessage.createdAt}>
              {formatDateTime(lastMessage.createdAt)}
            </time>
          )}
        </span>
        <span className="text-base-content/70 truncate text-sm">{preview(lastMessage, me.id)}</span>
      </span>
      {unreadCount > 0 && (
        <span className="badge badge-primary badge-sm">
          {unreadCount}
          <span className="sr-only"> unread</span>
        </span>
      )}
    </Link>
  );
}

function preview(message: ConversationSummary["lastMessage"], myId: string): string {
  if (message === null) return "No messages yet";
  const text = message.deletedAt === null ? message.body : "Message deleted";
  return message.senderId === myId ? `You: ${text}` : text;
}
