import { useState } from "react";
import { currentPermission, isOptedIn, notificationsSupported, rememberOptIn } from "./notificationPolicy";

/**
 * Opt-in for message notifications; the permission prompt must come from this click. Absent without the API.
 * `wide`: the label always shown, as in a menu.
 */
export function NotificationsToggle({ wide = false }: { wide?: boolean }) {
  const [on, setOn] = useState(() => isOptedIn() && currentPermission() === "granted");
  const [blocked, setBlocked] = useState(() => currentPermission() === "denied");
  if (!notificationsSupported()) return null;

  async function toggle() {
    if (on) {
      rememberOptIn(false);
      setOn(false);
      return;
    }
    const permission = await Notification.requestPermission();
    rememberOptIn(permission === "granted");
    setOn(permission === "granted");
    setBlocked(permission === "denied");
  }

  const label = on ? "Notifications on" : blocked ? "Notifications blocked" : "Enable notifications";
  return (
    <button
      type="button"
      className={`btn btn-ghost btn-sm ${wide ? "justify-start" : ""}`}
      title={on ? "Turn notifications off" : blocked ? "Allow notifications in the browser's site settings" : label}
      disabled={blocked && !on}
      onClick={() => void toggle()}
    >
      <BellIcon off={!on} />
      <span className={wide ? "" : "sr-only lg:not-sr-only"}>{label}</span>
    </button>
  );
}

function BellIcon({ off }: { off: boolean }) {
  return (
    <svg aria-hidden="true" className="h-5 w-5" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
      {off && <path d="m3 3 18 18" />}
    </svg>
  );
}
