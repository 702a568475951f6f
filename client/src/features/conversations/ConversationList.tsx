import { useCallback, useEffect, useId } from "react";
import { useHttp } from "../../app/useHttp";
import { useAppDispatch, useAppSelector } from "../../app/hooks";
import { ErrorAlert } from "../../components/ErrorAlert";
import { SkeletonRows } from "../../components/SkeletonRows";
import { assertNever } from "../../lib/assertNever";
import { ConversationLink } from "./ConversationLink";
import { fetchConversations } from "./conversationsSlice";
import { selectConversationList, selectConversationsLoadStatus } from "./selectors";

/** The home page's list; the chat route keeps the same state live over its socket. */
export function ConversationList() {
  const id = useId();
  const dispatch = useAppDispatch();
  const http = useHttp();
  const status = useAppSelector(selectConversationsLoadStatus);
  const conversations = useAppSelector(selectConversationList);

  const load = useCallback(() => void dispatch(fetchConversations(http)), [dispatch, http]);
  useEffect(load, [load]);

  return (
    <section className="card bg-base-100 shadow" aria-labelledby={`${id}-title`}>
      <div className="card-body gap-3">
        <h2 id={`${id}-title`} className="card-title">
          Conversations
        </h2>
        {conversations.length > 0 ? (
          <ul className="flex flex-col gap-1">
            {conversations.map((conversation) => (
              <li key={conversation.conversationId}>
                <ConversationLink conversation={conversation} />
              </li>
            ))}
          </ul>
        ) : (
          <EmptyList status={status} onRetry={load} />
        )}
      </div>
    </section>
  );
}

function EmptyList({
  status,
  onRetry,
}: {
  status: ReturnType<typeof selectConversationsLoadStatus>;
  onRetry: () => void;
}) {
  switch (status) {
    case "idle":
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
