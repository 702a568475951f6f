import { useAppSelector } from "../../app/hooks";
import { assertNever } from "../../lib/assertNever";
import {
  selectConnectionStatus,
  selectReconnectAttempt,
  type ConnectionStatus as Status,
} from "../connection/connectionSlice";

/** `canReconnect`: nothing retries by itself, so the banner offers a button. */
type Presentation = { label: string; dot: string; explanation: string | null; canReconnect: boolean };

function presentation(status: Status, attempt: number): Presentation {
  const queued = "Messages you write are kept and sent when the connection is back.";
  switch (status) {
    case "connected":
      return { label: "Connected", dot: "status-success", explanation: null, canReconnect: false };
    case "connecting":
      return { label: "Connecting…", dot: "status-warning", explanation: null, canReconnect: false };
    case "reconnecting":
      return {
        label: attempt > 0 ? `Reconnecting… (attempt ${attempt})` : "Reconnecting…",
        dot: "status-warning",
        explanation: `Connection lost, reconnecting. ${queued}`,
        canReconnect: false,
      };
    case "offline":
      return { label: "Offline", dot: "status-error", explanation: `You are offline. ${queued}`, canReconnect: false };
    case "disconnected":
      return {
        label: "Disconnected",
        dot: "status-error",
        explanation: `Not connected to Parley. ${queued}`,
        canReconnect: true,
      };
    case "tooManyConnections":
      return {
        label: "Too many connections",
        dot: "status-error",
        explanation: `Too many open tabs or devices: close one, then reconnect. ${queued}`,
        canReconnect: true,
      };
    default:
      return assertNever(status);
  }
}

function usePresentation(): Presentation {
  const status = useAppSelector(selectConnectionStatus);
  const attempt = useAppSelector(selectReconnectAttempt);
  return presentation(status, attempt);
}

/**
 * Quiet while all is well: a small dot, its label for assistive technology only. A problem shows its label
 * beside the dot (from the small breakpoint up; the banner above the messages says it on phones too).
 */
export function ConnectionStatus() {
  const { label, dot, explanation } = usePresentation();
  const quiet = explanation === null;
  return (
    <span
      role="status"
      data-testid="connection-status"
      title={label}
      className="text-base-content/80 flex items-center gap-1.5 text-xs whitespace-nowrap"
    >
      <span aria-hidden="true" className={`status ${dot}`} />
      <span className={quiet ? "sr-only" : "max-sm:sr-only"}>{label}</span>
    </span>
  );
}

/**
 * The banner above the messages while the connection is down: says why sends wait, and that they are
 * not lost; when nothing will retry by itself, a button to reconnect.
 */
export function ConnectionBanner({ onReconnect }: { onReconnect: () => void }) {
  const { explanation, canReconnect } = usePresentation();
  if (explanation === null) return null;
  return (
    <div data-testid="connection-banner" aria-live="polite" className="alert alert-warning m-2">
      <span>{explanation}</span>
      {canReconnect && (
        <button type="button" className="btn btn-sm" onClick={onReconnect}>
          Reconnect
        </button>
      )}
    </div>
  );
}
