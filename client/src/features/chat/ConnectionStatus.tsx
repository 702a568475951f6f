import { useAppSelector } from "../../app/hooks";
import { assertNever } from "../../lib/assertNever";
import type { ConnectionStatus as Status } from "./chatSlice";
import { selectConnectionStatus, selectReconnectAttempt } from "./selectors";

type Presentation = { label: string; badge: string; explanation: string | null };

function presentation(status: Status, attempt: number): Presentation {
  const queued = "Messages you write are kept and sent when the connection is back.";
  switch (status) {
    case "connected":
      return { label: "Connected", badge: "badge-success", explanation: null };
    case "connecting":
      return { label: "Connecting…", badge: "badge-warning", explanation: null };
    case "reconnecting":
      return {
        label: attempt > 0 ? `Reconnecting… (attempt ${attempt})` : "Reconnecting…",
        badge: "badge-warning",
        explanation: `Connection lost, reconnecting. ${queued}`,
      };
    case "offline":
      return { label: "Offline", badge: "badge-error", explanation: `You are offline. ${queued}` };
    case "disconnected":
      return { label: "Disconnected", badge: "badge-error", explanation: `Not connected to Parley. ${queued}` };
    default:
      return assertNever(status);
  }
}

function usePresentation(): Presentation {
  const status = useAppSelector(selectConnectionStatus);
  const attempt = useAppSelector(selectReconnectAttempt);
  return presentation(status, attempt);
}

export function ConnectionStatus() {
  const { label, badge } = usePresentation();
  return (
    <span role="status" data-testid="connection-status" className={`badge whitespace-nowrap ${badge}`}>
      {label}
    </span>
  );
}

/** The banner above the messages while the connection is down: says why sends wait, and that they are not lost. */
export function ConnectionBanner() {
  const { explanation } = usePresentation();
  if (explanation === null) return null;
  return (
    <div data-testid="connection-banner" aria-live="polite" className="alert alert-warning m-2">
      <span>{explanation}</span>
    </div>
  );
}
