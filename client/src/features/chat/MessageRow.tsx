import { memo, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import type { Message } from "../../../../shared/protocol";
import { useAppSelector } from "../../app/hooks";
import { formatDateTime, formatRelativeTime } from "../../lib/format";
import type { ChangeOutcome } from "./chatSlice";
import { useConversationMembers } from "./conversationMembers";
import { DeliveryTicks, FailedSend, ThrottledSend } from "./DeliveryStatus";
import { itemKey } from "./listRows";
import { MessageEditor } from "./MessageEditor";
import { MessageText } from "./MessageText";
import { QuotedReply } from "./QuotedReply";
import { ReactionChips, ReactionPicker, type ReactHandler } from "./Reactions";
import { selectMessageDelivery, type TimelineItem } from "./selectors";
import { useMenu } from "../../lib/menuKeys";

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
  /** Starts a reply to this message in the composer; without it, no Reply is offered. */
  onReply?: (message: Message) => void;
  /** Toggles my reaction; without it, the row shows no reactions. */
  onReact?: ReactHandler;
  /** Brings a loaded message into view and focuses it; false when it is not loaded. */
  onJumpTo?: (messageId: string) => boolean;
  /** The first of a sender's consecutive messages shows the time; the rest of the group does not repeat it. */
  groupStart?: boolean;
  /** The log's one tab stop (roving tabindex); the other rows are reached with the arrow keys. */
  active?: boolean;
  /**
   * The text being edited, or null when not editing. Held by the list (by row key) so an open editor survives
   * its row being unmounted by virtualization; without these props the row keeps it itself.
   */
  editDraft?: string | null;
  onEditDraftChange?: (rowKey: string, draft: string | null) => void;
  /** After a delete the row's controls are gone: the list moves the focus on from this row. */
  onDeleted?: (rowKey: string) => void;
  /** In a group, who sent it: shown above the first message of their burst. */
  senderName?: string | undefined;
  /** I own the group: Delete is offered on the others' messages too, Edit still only on mine (v2 §4). */
  deletesOthers?: boolean;
};

/**
 * Memoized: a long log re-renders only the rows whose props changed (a new or changed message, the tab stop
 * moving), so the list passes stable items (selectTimeline) and callbacks that take the row's key.
 */
export const MessageRow = memo(function MessageRow({
  item,
  mine,
  conversationId,
  now,
  onRetry,
  onDiscard,
  onEdit,
  onDelete,
  onReply,
  onReact,
  onJumpTo,
  groupStart = true,
  active = false,
  editDraft,
  onEditDraftChange,
  onDeleted,
  senderName,
  deletesOthers = false,
}: MessageRowProps) {
  const { message } = item;
  const status = item.kind === "confirmed" ? "sent" : item.message.status;
  const stored = item.kind === "confirmed" ? item.message : null;
  const deleted = stored?.deletedAt != null;
  const editedAt = stored !== null && !deleted ? stored.editedAt : null;
  const delivery = useAppSelector((state) => selectMessageDelivery(state, conversationId, item));
  const [ownDraft, setOwnDraft] = useState<string | null>(null);
  const draft = editDraft !== undefined ? editDraft : ownDraft;
  const setDraft = onEditDraftChange ? (next: string | null) => onEditDraftChange(itemKey(item), next) : setOwnDraft;
  const [menuOpen, setMenuOpen] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  // Only an editor opened from this row takes the focus, not one remounted by scrolling back to it.
  const [editorJustOpened, setEditorJustOpened] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const rowRef = useRef<HTMLDivElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);

  const changeable = mine && stored !== null && !deleted;
  const editing = changeable && draft !== null;
  // System messages and tombstones take no replies and no reactions (v2 §4, §5).
  const interactive = stored !== null && !deleted && stored.kind !== "system";
  const deletable = changeable || (deletesOthers && interactive);
  const reactable = interactive && onReact !== undefined;
  const hasMenu = deletable || (interactive && onReply !== undefined) || reactable;
  const members = useConversationMembers();
  const mentionTargets = useMemo(
    () =>
      (stored?.mentions ?? []).flatMap((userId) => {
        const member = members.members.find((candidate) => candidate.id === userId);
        return member ? [{ userId, username: member.username }] : [];
      }),
    [stored?.mentions, members.members],
  );
  const replyTo = item.message.replyTo ?? null;
  const [pickerOpen, setPickerOpen] = useState(false);

  useEffect(() => {
    if (confirmingDelete) confirmRef.current?.focus();
  }, [confirmingDelete]);

  function focusRow() {
    rowRef.current?.focus();
  }

  function closeEditor() {
    setError(null);
    setDraft(null);
    setEditorJustOpened(false);
    // The editor held the focus; once it is gone the message itself takes it back, unless something
    // took it meanwhile (the actions menu, opened at once): taking it from a menu would close it.
    requestAnimationFrame(() => {
      if (document.activeElement === null || document.activeElement === document.body) focusRow();
    });
  }

  async function saveEdit(id: string, body: string) {
    setBusy(true);
    setError(null);
    const outcome = await onEdit(id, body);
    setBusy(false);
    if (outcome.ok) closeEditor();
    else setError(outcome.message);
  }

  async function confirmDelete(id: string) {
    setBusy(true);
    setError(null);
    const outcome = await onDelete(id);
    setBusy(false);
    if (!outcome.ok) {
      setError(outcome.message);
      return;
    }
    setConfirmingDelete(false);
    if (onDeleted) onDeleted(itemKey(item));
    else focusRow();
  }

  function showOutcome(outcome: ChangeOutcome) {
    setError(outcome.ok ? null : outcome.message);
  }

  function handleRowKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.target !== event.currentTarget || !hasMenu || editing) return;
    if (
      event.key === "Enter" ||
      event.key === " " ||
      event.key === "ContextMenu" ||
      (event.shiftKey && event.key === "F10")
    ) {
      event.preventDefault();
      setMenuOpen(true);
    }
  }

  return (
    <div
      ref={rowRef}
      data-testid="message"
      data-status={status}
      data-delivery={mine ? delivery : undefined}
      data-seq={stored?.seq}
      data-deleted={deleted ? "true" : undefined}
      tabIndex={active ? 0 : -1}
      aria-keyshortcuts={hasMenu ? "Enter" : undefined}
      onKeyDown={handleRowKeyDown}
      className={`chat ${mine ? "chat-end" : "chat-start"} group focus-visible:outline-primary rounded-box py-0.5 focus-visible:outline-2 focus-visible:outline-offset-0`}
    >
      {groupStart ? (
        <div className="chat-header text-base-content/70 text-xs">
          {senderName !== undefined && <span className="text-base-content font-semibold">{senderName} </span>}
          <time dateTime={message.createdAt} title={formatDateTime(message.createdAt)}>
            {formatRelativeTime(message.createdAt, now)}
          </time>
        </div>
      ) : (
        <time className="sr-only" dateTime={message.createdAt}>
          {formatDateTime(message.createdAt)}
        </time>
      )}
      {editing ? (
        <MessageEditor
          initial={stored.body}
          value={draft}
          onChange={setDraft}
          autoFocus={editorJustOpened}
          busy={busy}
          onSave={(body) => void saveEdit(stored.id, body)}
          onCancel={closeEditor}
        />
      ) : (
        <div className={`chat-bubble max-w-[85%] break-words whitespace-pre-wrap sm:max-w-[70%] ${bubbleStyle()}`}>
          {!deleted && replyTo && <QuotedReply quote={replyTo} onJump={onJumpTo} />}
          {deleted ? (
            "Message deleted"
          ) : (
            <MessageText body={message.body} mentions={mentionTargets} selfId={members.selfId} />
          )}
        </div>
      )}
      {(mine || editedAt !== null || error !== null || hasMenu) && (
        <div className="chat-footer text-base-content/70 relative flex flex-wrap items-center justify-end gap-1 text-xs">
          {error && (
            <span role="alert" className="text-error">
              {error}
            </span>
          )}
          {editedAt !== null && (
            <span data-testid="edited-mark" title={`Edited ${formatDateTime(editedAt)}`}>
              edited
            </span>
          )}
          {reactable && stored.reactions.length > 0 && (
            <div className={`flex w-full ${mine ? "justify-end" : "justify-start"}`}>
              <ReactionChips message={stored} onReact={onReact} onOutcome={showOutcome} />
            </div>
          )}
          {reactable && !editing && (
            <>
              {/* Like the actions: not a tab stop, the menu offers it to the keyboard; shown on hover or focus. */}
              <button
                type="button"
                tabIndex={-1}
                className="btn btn-ghost btn-xs btn-square invisible group-focus-within:visible group-hover:visible"
                aria-label="Add reaction"
                aria-haspopup="menu"
                aria-expanded={pickerOpen}
                onClick={() => setPickerOpen((open) => !open)}
              >
                <span aria-hidden="true">☺</span>
              </button>
              {pickerOpen && (
                <ReactionPicker
                  message={stored}
                  onReact={onReact}
                  onOutcome={showOutcome}
                  onClose={(returnFocus) => {
                    setPickerOpen(false);
                    if (returnFocus) focusRow();
                  }}
                />
              )}
            </>
          )}
          {hasMenu && !editing && !confirmingDelete && (
            <>
              {/* Not a tab stop: the focused message opens it with Enter; shown on hover or focus, never always. */}
              <button
                type="button"
                tabIndex={-1}
                className="btn btn-ghost btn-xs btn-square invisible group-focus-within:visible group-hover:visible"
                aria-label="Message actions"
                aria-haspopup="menu"
                aria-expanded={menuOpen}
                onClick={() => setMenuOpen((open) => !open)}
              >
                <span aria-hidden="true">⋯</span>
              </button>
              {menuOpen && (
                <ActionsMenu
                  onReact={
                    reactable
                      ? () => {
                          setMenuOpen(false);
                          setError(null);
                          setPickerOpen(true);
                        }
                      : undefined
                  }
                  onReply={
                    interactive && onReply
                      ? () => {
                          setMenuOpen(false);
                          onReply(stored);
                        }
                      : undefined
                  }
                  onEdit={
                    changeable
                      ? () => {
                          setMenuOpen(false);
                          setError(null);
                          setEditorJustOpened(true);
                          setDraft(stored.body);
                        }
                      : undefined
                  }
                  onDelete={
                    deletable
                      ? () => {
                          setMenuOpen(false);
                          setError(null);
                          setConfirmingDelete(true);
                        }
                      : undefined
                  }
                  onClose={(returnFocus) => {
                    setMenuOpen(false);
                    if (returnFocus) focusRow();
                  }}
                />
              )}
            </>
          )}
          {deletable && confirmingDelete && (
            <span
              role="group"
              aria-label="Delete this message?"
              className="flex items-center gap-1"
              onKeyDown={(event) => {
                if (event.key !== "Escape" || busy) return;
                event.stopPropagation();
                setConfirmingDelete(false);
                focusRow();
              }}
            >
              <span>Delete this message?</span>
              <button
                ref={confirmRef}
                type="button"
                className="btn btn-error btn-xs"
                aria-label="Confirm delete"
                disabled={busy}
                onClick={() => void confirmDelete(stored.id)}
              >
                {busy && <span className="loading loading-spinner loading-xs" aria-hidden="true" />}
                Delete
              </button>
              <button
                type="button"
                className="btn btn-ghost btn-xs"
                disabled={busy}
                onClick={() => {
                  setConfirmingDelete(false);
                  focusRow();
                }}
              >
                Cancel
              </button>
            </span>
          )}
          {mine &&
            (item.kind === "pending" && item.message.status === "failed" ? (
              <FailedSend message={item.message} onRetry={onRetry} onDiscard={onDiscard} />
            ) : (
              <>
                {item.kind === "pending" && <ThrottledSend message={item.message} />}
                {/* Last, so the ticks sit at the bubble's edge whatever else the footer holds. */}
                <DeliveryTicks delivery={delivery} />
              </>
            ))}
        </div>
      )}
    </div>
  );

  /**
   * Every variant keeps its text at 4.5:1 or more: a tombstone is an outlined bubble with the page's text
   * colour (a faded primary bubble was 2.3:1), and received bubbles are the page's lightest surface.
   */
  function bubbleStyle(): string {
    if (deleted) return "border-base-content/40 text-base-content/80 border border-dashed bg-transparent italic";
    if (status === "failed") return "chat-bubble-error";
    if (mine) return "chat-bubble-primary";
    return "bg-base-100 text-base-content border-base-content/15 border shadow-sm";
  }
});

/** Edit, Delete, Reply and React (those offered; mine keep Edit first) for one message, as a menu: arrow keys move, Escape closes back to the message. */
function ActionsMenu({
  onReact,
  onReply,
  onEdit,
  onDelete,
  onClose,
}: {
  onReact: (() => void) | undefined;
  onReply: (() => void) | undefined;
  onEdit: (() => void) | undefined;
  onDelete: (() => void) | undefined;
  onClose: (returnFocus: boolean) => void;
}) {
  const menu = useMenu(true, onClose);
  // In this order: Edit first on mine.
  const actions = [
    ["Edit message", "Edit", onEdit],
    ["Delete message", "Delete", onDelete],
    ["Reply to message", "Reply", onReply],
    ["Add reaction", "React…", onReact],
  ] as const;

  return (
    <ul
      {...menu}
      role="menu"
      aria-label="Message actions"
      className="menu menu-sm bg-base-100 text-base-content rounded-box border-base-300 absolute right-0 bottom-full z-20 w-36 border p-1 shadow-lg"
    >
      {actions.map(
        ([label, text, onClick]) =>
          onClick && (
            <li role="none" key={label}>
              <button type="button" role="menuitem" tabIndex={-1} aria-label={label} onClick={onClick}>
                {text}
              </button>
            </li>
          ),
      )}
    </ul>
  );
}
