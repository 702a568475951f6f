import { assertNever } from "../../lib/assertNever";
import { formatWait } from "../../lib/format";
import type { PendingMessage } from "./chatSlice";
import type { MessageDelivery } from "./selectors";

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
      return { glyph: "✓✓", label: "Read", className: "text-primary font-semibold" };
    case "failed":
      return { glyph: "!", label: "Not sent", className: "text-error" };
    default:
      return assertNever(delivery);
  }
}

export function DeliveryTicks({ delivery }: { delivery: MessageDelivery }) {
  const { glyph, label, className } = tick(delivery);
  return (
    <span className={`inline-flex items-center gap-1 ${className}`} title={label}>
      <span aria-hidden="true">{glyph}</span>
      <span className="sr-only">{label}</span>
    </span>
  );
}

export function FailedSend({
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
      <button type="button" className="btn btn-link btn-xs" onClick={() => onDiscard(message.clientId)}>
        Discard
      </button>
    </span>
  );
}

/** A send held back by the rate limit: it goes again by itself, the user only learns why it waits. */
export function ThrottledSend({ message }: { message: PendingMessage }) {
  if (message.status !== "pending" || message.failure?.code !== "RATE_LIMITED") return null;
  return <span>Sending too fast: next try in {formatWait(message.failure.retryAfterMs ?? 1000)}</span>;
}
