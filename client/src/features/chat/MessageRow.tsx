import { useEffect, useRef, useState } from "react";
import { useAppSelector } from "../../app/hooks";
import { formatDateTime, formatRelativeTime } from "../../lib/format";
import type { ChangeOutcome } from "./chatSlice";
import { DeliveryTicks, FailedSend, ThrottledSend } from "./DeliveryStatus";
import { MessageEditor } from "./MessageEditor";
import { MessageText } from "./MessageText";
import { selectMessageDelivery, type TimelineItem } from "./selectors";

export type MessageRowProps = {
  item: TimelineItem;
  mine: boolean;
  conversationId: string;
  /** The clock the relative times are read against; the list ticks it. */
  now: Date;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
  onEdit: (messageId: string, body: string) => Promise<ChangeOutcome>;
  onDelete: (messageId: string) => Promise<ChangeOutcome>;
};

type Mode = "idle" | "editing" | "confirmingDelete";

// Hidden until the row is hovered or holds the focus; always shown where there is no hover (touch) or little room.
const REVEAL_ON_HOVER =
  "opacity-0 group-hover:opacity-100 group-focus-within:opacity-100 max-sm:opacity-100 [@media(hover:none)]:opacity-100";

export function MessageRow({ item, mine, conversationId, now, onRetry, onDiscard, onEdit, onDelete }: MessageRowProps) {
  const { message } = item;
  const status = item.kind === "confirmed" ? "sent" : item.message.status;
  const stored = item.kind === "confirmed" ? item.message : null;
  const deleted = stored?.deletedAt != null;
  const editedAt = stored !== null && !deleted ? stored.editedAt : null;
  const delivery = useAppSelector((state) => selectMessageDelivery(state, conversationId, item));
  const [mode, setMode] = useState<Mode>("idle");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const deleteButtonRef = useRef<HTMLButtonElement>(null);
  const returnFocusRef = useRef<"edit" | "delete" | null>(null);

  // Back from the editor or the confirm, the focus returns to the button that opened it (mounted again by now).
  useEffect(() => {
    if (mode !== "idle") return;
    const target = returnFocusRef.current === "edit" ? editButtonRef : deleteButtonRef;
    if (returnFocusRef.current !== null) target.current?.focus();
    returnFocusRef.current = null;
  }, [mode]);

  function close(returnTo: "edit" | "delete" | null) {
    returnFocusRef.current = returnTo;
    setMode("idle");
  }

  async function change(run: () => Promise<ChangeOutcome>, returnTo: "edit" | "delete" | null) {
    setBusy(true);
    setError(null);
    const outcome = await run();
    setBusy(false);
    if (outcome.ok) close(returnTo);
    else setError(outcome.message);
  }

  const changeable = mine && stored !== null && !deleted;

  return (
    <div
      data-testid="message"
      data-status={status}
      data-delivery={mine ? delivery : undefined}
      data-seq={stored?.seq}
      data-deleted={deleted ? "true" : undefined}
      className={`chat ${mine ? "chat-end" : "chat-start"} group`}
    >
      <div className="chat-header text-base-content/70 text-xs">
        <time dateTime={message.createdAt} title={formatDateTime(message.createdAt)}>
          {formatRelativeTime(message.createdAt, now)}
        </time>
        {editedAt !== null && (
          <span data-testid="edited-mark" title={`Edited ${formatDateTime(editedAt)}`}>
            · edited
          </span>
        )}
      </div>
      {mode === "editing" && stored !== null ? (
        <MessageEditor
          initial={stored.body}
          busy={busy}
          onSave={(body) => void change(() => onEdit(stored.id, body), "edit")}
          onCancel={() => {
            setError(null);
            close("edit");
          }}
        />
      ) : (
        <div
          className={`chat-bubble max-w-[85%] break-words whitespace-pre-wrap sm:max-w-[70%] ${
            mine ? "chat-bubble-primary" : ""
          } ${status === "pending" ? "opacity-70" : ""} ${status === "failed" ? "chat-bubble-error" : ""} ${deleted ? "italic opacity-60" : ""}`}
        >
          {deleted ? "Message deleted" : <MessageText body={message.body} />}
        </div>
      )}
      {mine && (
        <div className="chat-footer text-base-content/70 flex flex-wrap items-center gap-1 text-xs">
          {item.kind === "pending" && item.message.status === "failed" ? (
            <FailedSend message={item.message} onRetry={onRetry} onDiscard={onDiscard} />
          ) : (
            <>
              <DeliveryTicks delivery={delivery} />
              {item.kind === "pending" && <ThrottledSend message={item.message} />}
            </>
          )}
          {changeable && mode === "idle" && (
            <span className={`flex gap-1 transition-opacity ${REVEAL_ON_HOVER}`}>
              <button
                ref={editButtonRef}
                type="button"
                className="btn btn-ghost btn-xs"
                aria-label="Edit message"
                onClick={() => {
                  setError(null);
                  setMode("editing");
                }}
              >
                Edit
              </button>
              <button
                ref={deleteButtonRef}
                type="button"
                className="btn btn-ghost btn-xs"
                aria-label="Delete message"
                onClick={() => {
                  setError(null);
                  setMode("confirmingDelete");
                }}
              >
                Delete
              </button>
            </span>
          )}
          {changeable && mode === "confirmingDelete" && (
            <span role="group" aria-label="Delete this message?" className="flex items-center gap-1">
              <span>Delete this message?</span>
              <button
                type="button"
                className="btn btn-error btn-xs"
                aria-label="Confirm delete"
                disabled={busy}
                onClick={() => void change(() => onDelete(stored.id), null)}
              >
                {busy && <span className="loading loading-spinner loading-xs" aria-hidden="true" />}
                Delete
              </button>
              <button type="button" className="btn btn-ghost btn-xs" disabled={busy} onClick={() => close("delete")}>
                Cancel
              </button>
            </span>
          )}
          {error && (
            <span role="alert" className="text-error">
              {error}
            </span>
          )}
        </div>
      )}
    </div>
  );
}
