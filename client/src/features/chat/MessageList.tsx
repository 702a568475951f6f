import { useLayoutEffect, useRef } from "react";
import { useAppSelector } from "../../app/hooks";
import { assertNever } from "../../lib/assertNever";
import { formatTime } from "../../lib/format";
import type { PendingMessage } from "./chatSlice";
import { selectMessageDelivery, selectTimeline, type MessageDelivery, type TimelineItem } from "./selectors";

/** How close to the bottom (px) still counts as "reading the newest", so new messages keep it in view. */
const STICK_TO_BOTTOM_PX = 64;

type MessageListProps = {
  conversationId: string;
  selfId: string;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
};

export function MessageList({
  conversationId,
  selfId,
  onRetry,
  onDiscard,
  hasOlder,
  loadingOlder,
  onLoadOlder,
}: MessageListProps) {
  const timeline = useAppSelector((state) => selectTimeline(state, conversationId));
  const scrollerRef = useRef<HTMLDivElement>(null);
  const atBottomRef = useRef(true);
  const previousRef = useRef<{ firstKey: string | undefined; scrollHeight: number }>({
    firstKey: undefined,
    scrollHeight: 0,
  });

  const firstKey = timeline[0] && itemKey(timeline[0]);
  const last = timeline.at(-1);
  const lastKey = last && itemKey(last);
  const lastIsMine = last?.message.senderId === selfId;

  useLayoutEffect(() => {
    const scroller = scrollerRef.current;
    if (!scroller) return;
    const previous = previousRef.current;
    if (atBottomRef.current || lastIsMine) {
      scroller.scrollTop = scroller.scrollHeight;
    } else if (firstKey !== previous.firstKey && previous.firstKey !== undefined) {
      // Older messages were prepended: keep what the reader was looking at in place.
      scroller.scrollTop += scroller.scrollHeight - previous.scrollHeight;
    }
    previousRef.current = { firstKey, scrollHeight: scroller.scrollHeight };
  }, [firstKey, lastKey, lastIsMine, timeline.length]);

  function handleScroll() {
    const scroller = scrollerRef.current;
    if (!scroller) return;
    atBottomRef.current = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < STICK_TO_BOTTOM_PX;
    previousRef.current = { firstKey, scrollHeight: scroller.scrollHeight };
  }

  return (
    <div
      ref={scrollerRef}
      role="log"
      aria-label="Messages"
      className="flex-1 overflow-y-auto px-2 py-4 sm:px-4"
      onScroll={handleScroll}
    >
      {hasOlder && (
        <div className="mb-2 flex justify-center">
          <button type="button" className="btn btn-ghost btn-sm" onClick={onLoadOlder} disabled={loadingOlder}>
            {loadingOlder && <span className="loading loading-spinner loading-xs" aria-hidden="true" />}
            Load older messages
          </button>
        </div>
      )}
      {timeline.length === 0 ? (
        <p className="text-base-content/60 mt-8 text-center">No messages yet. Say hello!</p>
      ) : (
        <ol className="flex flex-col gap-1">
          {timeline.map((item) => (
            <MessageRow
              key={itemKey(item)}
              item={item}
              mine={item.message.senderId === selfId}
              conversationId={conversationId}
              onRetry={onRetry}
              onDiscard={onDiscard}
            />
          ))}
        </ol>
      )}
    </div>
  );
}

/** Pending rows are keyed by clientId and confirmed ones by id, so a confirmed message never collides with its own echo. */
function itemKey(item: TimelineItem): string {
  return item.kind === "confirmed" ? `id:${item.message.id}` : `client:${item.message.clientId}`;
}

type MessageRowProps = {
  item: TimelineItem;
  mine: boolean;
  conversationId: string;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
};

function MessageRow({ item, mine, conversationId, onRetry, onDiscard }: MessageRowProps) {
  const { message } = item;
  const status = item.kind === "confirmed" ? "sent" : item.message.status;
  const deleted = item.kind === "confirmed" && item.message.deletedAt !== null;
  const delivery = useAppSelector((state) => selectMessageDelivery(state, conversationId, item));

  return (
    <li
      data-testid="message"
      data-status={status}
      data-delivery={mine ? delivery : undefined}
      data-seq={item.kind === "confirmed" ? item.message.seq : undefined}
      className={`chat ${mine ? "chat-end" : "chat-start"}`}
    >
      <div className="chat-header text-base-content/60 text-xs">
        <time dateTime={message.createdAt}>{formatTime(message.createdAt)}</time>
        {item.kind === "confirmed" && item.message.editedAt !== null && !deleted && <span> · edited</span>}
      </div>
      <div
        className={`chat-bubble max-w-[85%] break-words whitespace-pre-wrap sm:max-w-[70%] ${
          mine ? "chat-bubble-primary" : ""
        } ${status === "pending" ? "opacity-70" : ""} ${status === "failed" ? "chat-bubble-error" : ""} ${deleted ? "italic opacity-60" : ""}`}
      >
        {deleted ? "This message was deleted" : message.body}
      </div>
      {mine && (
        <div className="chat-footer text-base-content/60 text-xs">
          {item.kind === "pending" && item.message.status === "failed" ? (
            <FailedSend message={item.message} onRetry={onRetry} onDiscard={onDiscard} />
          ) : (
            <DeliveryTicks delivery={delivery} />
          )}
        </div>
      )}
    </li>
  );
}

function FailedSend({
  message,
  onRetry,
  onDiscard,
}: {
  message: PendingMessage;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
}) {
  return (
    <span className="text-error flex items-center gap-1">
      Not sent{message.failure ? `: ${message.failure.message}` : ""}
      <button type="button" className="btn btn-link btn-xs" onClick={() => onRetry(message.clientId)}>
        Retry
      </button>
      <button type="button" className="btn btn-link btn-xs text-error" onClick={() => onDiscard(message.clientId)}>
        Discard
      </button>
    </span>
  );
}

/** Clock, ✓, ✓✓, highlighted ✓✓: the glyphs are decoration, the label is what assistive technology reads. */
function tick(delivery: MessageDelivery): { glyph: string; label: string; className: string } {
  switch (delivery) {
    case "pending":
      return { glyph: "🕓", label: "Sending…", className: "" };
    case "sent":
      return { glyph: "✓", label: "Sent", className: "" };
    case "delivered":
      return { glyph: "✓✓", label: "Delivered", className: "" };
    case "read":
      return { glyph: "✓✓", label: "Read", className: "text-info font-semibold" };
    case "failed":
      return { glyph: "!", label: "Not sent", className: "text-error" };
    default:
      return assertNever(delivery);
  }
}

function DeliveryTicks({ delivery }: { delivery: MessageDelivery }) {
  const { glyph, label, className } = tick(delivery);
  return (
    <span className={`inline-flex items-center gap-1 ${className}`} title={label}>
      <span aria-hidden="true">{glyph}</span>
      <span className="sr-only">{label}</span>
    </span>
  );
}
