import { lazy, Suspense, useId, useState } from "react";
import { useAppSelector } from "../../app/hooks";
import { ErrorAlert } from "../../components/ErrorAlert";
import { SkeletonRows } from "../../components/SkeletonRows";
import { assertNever } from "../../lib/assertNever";
import { ConversationLink } from "./ConversationLink";
import { MoreConversations } from "./MoreConversations";
import { selectConversationList } from "./selectors";
import { useConversationListLoad, type ConversationListLoad } from "./useConversationListLoad";

// Loaded when first opened: most visits never create a group.
const CreateGroupDialog = lazy(() =>
  import("../groups/CreateGroupDialog").then((m) => ({ default: m.CreateGroupDialog })),
);

/** The home page's list, kept live (and fetched on each connect) by the route's socket. */
export function ConversationList() {
  const id = useId();
  const { status, retry } = useConversationListLoad();
  const conversations = useAppSelector(selectConversationList);
  const [creating, setCreating] = useState(false);

  return (
    <section className="card bg-base-100 shadow" aria-labelledby={`${id}-title`}>
      <div className="card-body gap-3">
        <div className="flex items-center justify-between gap-2">
          <h2 id={`${id}-title`} className="card-title">
            Conversations
          </h2>
          <button
            type="button"
            className="btn btn-sm btn-primary"
            aria-haspopup="dialog"
            onClick={() => setCreating(true)}
          >
            New group
          </button>
        </div>
        {creating && (
          <Suspense fallback={<span className="loading loading-spinner loading-sm" aria-label="Opening" />}>
            <CreateGroupDialog onClose={() => setCreating(false)} />
          </Suspense>
        )}
        {conversations.length > 0 ? (
          <>
            <ul className="flex flex-col gap-1">
              {conversations.map((conversation) => (
                <li key={conversation.conversationId}>
                  <ConversationLink conversation={conversation} />
                </li>
              ))}
            </ul>
            <MoreConversations />
          </>
        ) : (
          <EmptyList status={status} onRetry={retry} />
        )}
      </div>
    </section>
  );
}

function EmptyList({ status, onRetry }: { status: ConversationListLoad; onRetry: () => void }) {
  switch (status) {
    case "loading":
      return <SkeletonRows label="Loading conversations" />;
    case "failed":
      return <ErrorAlert message="Could not load your conversations." onRetry={onRetry} />;
    case "loaded":
      return <p className="text-base-content/70">No conversations yet — find someone below.</p>;
    default:
      return assertNever(status);
  }
}
