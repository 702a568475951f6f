import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import type { Message } from "../../../../shared/protocol";
import { useAppSelector } from "../../app/hooks";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDayLabel } from "../../lib/format";
import { useNow } from "../../lib/useNow";
import { useVirtualRows } from "../../lib/useVirtualRows";
import type { ChangeOutcome } from "./chatSlice";
import { buildListRows, itemKey as itemKeyOf, messageKey, type ListRow } from "./listRows";
import { MessageRow } from "./MessageRow";
import { NewMessageAnnouncer } from "./NewMessageAnnouncer";
import { SystemNote } from "./SystemNote";
import type { ReactHandler } from "./Reactions";
import { selectHistoryLoaded, selectJoinError, selectTimeline, type TimelineItem } from "./selectors";

/** How close to the bottom (px) still counts as "reading the newest", so new messages keep it in view. */
const STICK_TO_BOTTOM_PX = 64;
/** How close to the top (px) the next older page is fetched, before the reader hits the end. */
const LOAD_OLDER_PX = 600;
const ESTIMATED_ROW_PX = 72;
/** Rows rendered beyond the viewport on each side: smooth scrolling, yet a bounded DOM. */
const OVERSCAN = 10;

type MessageListProps = {
  conversationId: string;
  selfId: string;
  peerName: string;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
  onEdit: (messageId: string, body: string) => Promise<ChangeOutcome>;
  onDelete: (messageId: string) => Promise<ChangeOutcome>;
  onReply: (message: Message) => void;
  onReact: ReactHandler;
  onRetryJoin: () => void;
  hasOlder: boolean;
  loadingOlder: boolean;
  olderError: string | null;
  onLoadOlder: () => void;
  /** In a group: members' names, for senders and system notes. */
  nameOf?: ((userId: string) => string) | undefined;
  /** I own the group: I may delete the others' messages too. */
  deletesOthers?: boolean;
};

export function MessageList(props: MessageListProps) {
  const { conversationId, selfId, peerName, onRetryJoin, nameOf } = props;
  const timeline = useAppSelector((state) => selectTimeline(state, conversationId));
  const historyLoaded = useAppSelector((state) => selectHistoryLoaded(state, conversationId));
  const joinError = useAppSelector((state) => selectJoinError(state, conversationId));
  const rows = useMemo(() => buildListRows(timeline), [timeline]);
  const loading = !historyLoaded && joinError === null && timeline.length === 0;

  return (
    <div className="relative flex min-h-0 flex-1 flex-col">
      <NewMessageAnnouncer conversationId={conversationId} selfId={selfId} peerName={peerName} nameOf={nameOf} />
      {joinError !== null && (
        <div className="m-2">
          <ErrorAlert message={joinError.message} onRetry={onRetryJoin} />
        </div>
      )}
      {loading ? <SkeletonBubbles /> : <VirtualLog {...props} rows={rows} />}
    </div>
  );
}

function VirtualLog({
  conversationId,
  selfId,
  onRetry,
  onDiscard,
  onEdit,
  onDelete,
  onReply,
  onReact,
  hasOlder,
  loadingOlder,
  olderError,
  onLoadOlder,
  nameOf,
  deletesOthers,
  rows,
}: MessageListProps & { rows: ListRow[] }) {
  const nowMs = useNow();
  // Stable between ticks: a new Date would re-render every memoized row.
  const now = useMemo(() => new Date(nowMs), [nowMs]);
  const scrollerRef = useRef<HTMLDivElement>(null);
  const rowKeys = useMemo(() => rows.map((row) => row.key), [rows]);
  const virtualizer = useVirtualRows({
    scrollerRef,
    keys: rowKeys,
    estimatedSize: ESTIMATED_ROW_PX,
    overscan: OVERSCAN,
  });
  const totalSize = virtualizer.totalSize;
  // Opens at the bottom; the ref steers scrolling synchronously, the state shows or hides the pill.
  const atBottomRef = useRef(true);
  const [atBottom, setAtBottom] = useState(true);
  const firstMessageKey = rows.find((row) => row.kind === "message")?.key;
  const previousFirstRef = useRef<{ key: string | undefined; start: number }>({ key: undefined, start: 0 });
  const last = rows.at(-1);
  const lastKey = last?.key;
  const lastIsMine = last?.kind === "message" && last.item.message.senderId === selfId;
  const [seenLastKey, setSeenLastKey] = useState(lastKey);
  if (atBottom && seenLastKey !== lastKey) setSeenLastKey(lastKey);
  const unseen = !atBottom && seenLastKey !== lastKey;

  // Roving tabindex: the log is one tab stop, the focused message; arrow keys, Home and End move it.
  const messageKeys = useMemo(() => rows.flatMap((row) => (row.kind === "message" ? [row.key] : [])), [rows]);
  const [chosenKey, setChosenKey] = useState<string | undefined>(undefined);
  const activeKey = chosenKey !== undefined && messageKeys.includes(chosenKey) ? chosenKey : messageKeys.at(-1);
  const pendingFocusRef = useRef<string | null>(null);
  const virtualItems = virtualizer.rows;
  const activeMounted = virtualItems.some((virtualRow) => virtualRow.key === activeKey);
  // Edits in progress by row key (the message id), here rather than in the rows: virtualization unmounts rows.
  const [editDrafts, setEditDrafts] = useState<Record<string, string>>({});

  function rowElement(key: string): HTMLElement | null {
    return scrollerRef.current?.querySelector(`[data-row-key="${CSS.escape(key)}"] [data-testid="message"]`) ?? null;
  }

  function focusMessage(key: string) {
    setChosenKey(key);
    const element = rowElement(key);
    if (element) {
      element.focus();
      return;
    }
    // Not mounted: scroll it into the rendered window; the effect below focuses it once it is there.
    pendingFocusRef.current = key;
    virtualizer.scrollToIndex(rows.findIndex((row) => row.key === key));
  }

  useEffect(() => {
    const key = pendingFocusRef.current;
    if (key === null) return;
    const element = rowElement(key);
    if (element) {
      pendingFocusRef.current = null;
      element.focus();
    }
  });

  function handleLogKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const target = event.target as HTMLElement;
    const onRow = target.dataset.testid === "message";
    if (!onRow && target !== scrollerRef.current) return;
    const at = activeKey === undefined ? -1 : messageKeys.indexOf(activeKey);
    let next: number;
    switch (event.key) {
      case "ArrowDown":
        next = onRow ? at + 1 : at;
        break;
      case "ArrowUp":
        next = onRow ? at - 1 : at;
        break;
      case "Home":
        next = 0;
        break;
      case "End":
        next = messageKeys.length - 1;
        break;
      default:
        return;
    }
    const key = messageKeys[Math.max(0, Math.min(messageKeys.length - 1, next))];
    if (key === undefined) return;
    event.preventDefault();
    focusMessage(key);
  }

  /** After a delete: the next message, else the previous, else the log itself. */
  function focusAfterDelete(key: string) {
    const at = messageKeys.indexOf(key);
    const next = messageKeys[at + 1] ?? messageKeys[at - 1];
    if (next !== undefined) focusMessage(next);
    else scrollerRef.current?.focus();
  }

  function editDraftOf(item: TimelineItem): string | null {
    return editDrafts[itemKeyOf(item)] ?? null;
  }

  const setEditDraft = useCallback((key: string, draft: string | null) => {
    setEditDrafts((drafts) => {
      const { [key]: _, ...others } = drafts;
      return draft === null ? others : { ...others, [key]: draft };
    });
  }, []);

  // The memoized rows get one callback for good; it runs the latest focusAfterDelete, which knows the current rows.
  const focusAfterDeleteRef = useRef(focusAfterDelete);
  useLayoutEffect(() => {
    focusAfterDeleteRef.current = focusAfterDelete;
  });
  const handleDeleted = useCallback((key: string) => focusAfterDeleteRef.current(key), []);

  /** A reply's quote was activated: its parent, if held, comes into view with the focus. */
  function jumpTo(messageId: string): boolean {
    const key = messageKey(messageId);
    if (!messageKeys.includes(key)) return false;
    focusMessage(key);
    return true;
  }
  const jumpToRef = useRef(jumpTo);
  useLayoutEffect(() => {
    jumpToRef.current = jumpTo;
  });
  const handleJumpTo = useCallback((messageId: string) => jumpToRef.current(messageId), []);

  function scrollToBottom() {
    const scroller = scrollerRef.current;
    if (!scroller) return;
    atBottomRef.current = true;
    scroller.scrollTop = scroller.scrollHeight;
  }

  function loadOlderWhenNearTop() {
    const scroller = scrollerRef.current;
    if (scroller && scroller.scrollTop < LOAD_OLDER_PX && hasOlder && !loadingOlder && olderError === null) {
      onLoadOlder();
    }
  }

  function handleScroll() {
    const scroller = scrollerRef.current;
    if (!scroller) return;
    atBottomRef.current = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < STICK_TO_BOTTOM_PX;
    setAtBottom(atBottomRef.current);
    loadOlderWhenNearTop();
  }

  // A page was prepended: move down by as much as the oldest message held before moved, so the row the reader
  // was looking at stays in place. (The day separator above it may keep its key, so a message is the anchor.)
  // Rows still estimated are corrected by the virtualizer when measured, since they sit above the viewport.
  const { startOf } = virtualizer;
  useLayoutEffect(() => {
    const index = rows.findIndex((row) => row.key === firstMessageKey);
    const start = startOf(index) ?? 0;
    const previous = previousFirstRef.current;
    previousFirstRef.current = { key: firstMessageKey, start };
    const scroller = scrollerRef.current;
    if (!scroller || previous.key === undefined || previous.key === firstMessageKey || atBottomRef.current) return;
    const previousIndex = rows.findIndex((row) => row.key === previous.key);
    const moved = (startOf(previousIndex) ?? previous.start) - previous.start;
    scroller.scrollTop += moved;
  }, [firstMessageKey, rows, startOf]);

  // At the bottom, stay there while rows arrive or are measured taller than estimated.
  useLayoutEffect(() => {
    if (atBottomRef.current) scrollToBottom();
  }, [totalSize]);

  // My own message always brings me to the bottom, wherever I was reading.
  useLayoutEffect(() => {
    if (lastIsMine) scrollToBottom();
  }, [lastKey, lastIsMine]);

  // A scroll to the very top fires no further scroll event, so each loaded page checks again.
  useEffect(loadOlderWhenNearTop, [rows.length, hasOlder, loadingOlder, olderError, onLoadOlder]);

  return (
    <>
      {olderError !== null && (
        <div className="m-2">
          <ErrorAlert message={olderError} onRetry={onLoadOlder} />
        </div>
      )}
      <div
        ref={scrollerRef}
        role="log"
        aria-label="Messages"
        // Rows mount and unmount as the list scrolls: that is no news, the announcer speaks for new messages.
        aria-live="off"
        // The focused message is the tab stop; the log itself only while that message is scrolled out of the DOM.
        tabIndex={activeMounted ? -1 : 0}
        onKeyDown={handleLogKeyDown}
        className="focus-visible:outline-primary flex-1 overflow-y-auto px-2 py-4 focus-visible:outline-2 focus-visible:-outline-offset-2 sm:px-4"
        onScroll={handleScroll}
      >
        {rows.length === 0 ? (
          <p className="text-base-content/70 mt-8 text-center">No messages yet. Say hello!</p>
        ) : (
          <div className="relative w-full" style={{ height: totalSize }}>
            {virtualItems.map((virtualRow) => {
              const row = rows[virtualRow.index];
              if (row === undefined) return null;
              return (
                <div
                  key={virtualRow.key}
                  ref={virtualizer.measureRow}
                  data-row-key={row.key}
                  className={`absolute top-0 left-0 w-full ${row.kind === "message" && row.groupStart ? "pt-2" : ""}`}
                  style={{ transform: `translateY(${virtualRow.start}px)` }}
                >
                  {row.kind === "day" ? (
                    <DaySeparator at={row.at} now={now} />
                  ) : row.kind === "system" ? (
                    <SystemNote message={row.message} nameOf={nameOf} />
                  ) : (
                    <MessageRow
                      item={row.item}
                      mine={row.item.message.senderId === selfId}
                      conversationId={conversationId}
                      now={now}
                      onRetry={onRetry}
                      onDiscard={onDiscard}
                      onEdit={onEdit}
                      onDelete={onDelete}
                      onReply={onReply}
                      onReact={onReact}
                      onJumpTo={handleJumpTo}
                      groupStart={row.groupStart}
                      active={row.key === activeKey}
                      editDraft={editDraftOf(row.item)}
                      onEditDraftChange={setEditDraft}
                      onDeleted={handleDeleted}
                      deletesOthers={deletesOthers}
                      senderName={
                        nameOf && row.groupStart && row.item.message.senderId !== selfId
                          ? nameOf(row.item.message.senderId)
                          : undefined
                      }
                    />
                  )}
                </div>
              );
            })}
          </div>
        )}
      </div>
      {loadingOlder && (
        <div role="status" className="absolute top-2 left-1/2 -translate-x-1/2">
          <span className="badge badge-neutral gap-2 shadow">
            <span className="loading loading-spinner loading-xs" aria-hidden="true" />
            Loading older messages…
          </span>
        </div>
      )}
      {unseen && (
        <button
          type="button"
          className="btn btn-primary btn-sm absolute bottom-3 left-1/2 -translate-x-1/2 shadow"
          onClick={scrollToBottom}
        >
          New messages <span aria-hidden="true">↓</span>
        </button>
      )}
    </>
  );
}

function DaySeparator({ at, now }: { at: string; now: Date }) {
  return (
    <div className="divider text-base-content/70 my-2 text-xs" role="separator">
      {formatDayLabel(at, now)}
    </div>
  );
}

/** Placeholder bubbles while the first page of history is on its way. */
function SkeletonBubbles() {
  return (
    <div className="flex flex-1 flex-col justify-end gap-3 overflow-hidden px-2 py-4 sm:px-4">
      <span role="status" className="sr-only">
        Loading messages…
      </span>
      {["w-40", "w-56", "w-32", "w-64", "w-48"].map((width, index) => (
        <div key={width} aria-hidden="true" className={`flex ${index % 2 ? "justify-end" : "justify-start"}`}>
          <div className={`skeleton h-10 rounded-2xl ${width}`} />
        </div>
      ))}
    </div>
  );
}
