import { useEffect, useId } from "react";
import { useHttp } from "../../api/useHttp";
import { useAppDispatch, useAppSelector } from "../../app/hooks";
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

  useEffect(() => {
    void dispatch(fetchConversations(http));
  }, [dispatch, http]);

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
          <EmptyList status={status} />
        )}
      </div>
    </section>
  );
}

function EmptyList({ status }: { status: ReturnType<typeof selectConversationsLoadStatus> }) {
  switch (status) {
    case "idle":
    case "loading":
      return <span className="loading loading-dots loading-md" aria-label="Loading conversations" />;
    case "failed":
      return (
        <div role="alert" className="alert alert-error alert-soft">
          Could not load your conversations.
        </div>
      );
    case "loaded":
      return <p className="text-base-content/70">No conversations yet. Find someone under People and say hello.</p>;
    default:
      return assertNever(status);
  }
}
