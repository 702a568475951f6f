import { useAppSelector } from "../../app/hooks";
import { assertNever } from "../../lib/assertNever";
import type { ConnectionStatus as Status } from "./chatSlice";
import { selectConnectionStatus } from "./selectors";

function presentation(status: Status): { label: string; className: string } {
  switch (status) {
    case "connected":
      return { label: "Connected", className: "badge-success" };
    case "connecting":
      return { label: "Connecting…", className: "badge-warning" };
    case "reconnecting":
      return { label: "Reconnecting…", className: "badge-warning" };
    case "disconnected":
      return { label: "Disconnected", className: "badge-error" };
    default:
      return assertNever(status);
  }
}

export function ConnectionStatus() {
  const { label, className } = presentation(useAppSelector(selectConnectionStatus));
  return (
    <span role="status" data-testid="connection-status" className={`badge badge-soft whitespace-nowrap ${className}`}>
      {label}
    </span>
  );
}
