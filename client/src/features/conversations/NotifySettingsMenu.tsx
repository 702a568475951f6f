import { useRef, useState } from "react";
import type { NotifyLevel, SettingsRequest } from "../../../../shared/protocol";
import { errorMessage } from "../../api/http";
import { useAppDispatch, useAppSelector } from "../../app/hooks";
import { updateConversationSettings } from "../../app/parleyApi";
import { formatDateTime } from "../../lib/format";
import { useNow } from "../../lib/useNow";
import { isMuted } from "../../lib/notifyLevel";
import { conversationSettingsReceived } from "./conversationsSlice";
import { selectConversationEntry } from "./selectors";
import { useMenu } from "../../lib/menuKeys";

const LEVELS: { level: NotifyLevel; label: string }[] = [
  { level: "all", label: "All messages" },
  { level: "mentions", label: "Only mentions" },
  { level: "none", label: "Nothing" },
];

const HOUR_MS = 60 * 60 * 1000;
const MUTE_FOR: { label: string; ms: number }[] = [
  { label: "1 hour", ms: HOUR_MS },
  { label: "8 hours", ms: 8 * HOUR_MS },
  { label: "1 day", ms: 24 * HOUR_MS },
  { label: "1 week", ms: 7 * 24 * HOUR_MS },
];

/**
 * The chat header's notification control: the level, and a mute for a while. The server's answer is applied
 * here; the `conversation:settings` event brings the same to the other tabs.
 */
export function NotifySettingsMenu({
  conversationId,
  conversationRef,
}: {
  conversationId: string;
  conversationRef: string;
}) {
  const dispatch = useAppDispatch();
  const entry = useAppSelector((state) => selectConversationEntry(state, conversationId));
  const now = useNow();
  const notify = entry?.notify ?? "all";
  const mutedUntil = entry?.mutedUntil ?? null;
  const muted = isMuted({ notify, mutedUntil }, now);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  function close(returnFocus: boolean) {
    setOpen(false);
    if (returnFocus) buttonRef.current?.focus();
  }
  const menu = useMenu(open, close);

  async function apply(change: SettingsRequest) {
    close(true);
    setBusy(true);
    setError(null);
    const result = await dispatch(updateConversationSettings(conversationRef, change));
    setBusy(false);
    if ("error" in result) setError(errorMessage(result.error));
    else dispatch(conversationSettingsReceived(result.data.settings));
  }

  const quiet = muted || notify === "none";
  const state = muted
    ? `muted until ${formatDateTime(mutedUntil ?? "")}`
    : (LEVELS.find((option) => option.level === notify)?.label ?? "").toLowerCase();

  return (
    <div className={`dropdown dropdown-end ${open ? "dropdown-open" : ""}`}>
      <button
        ref={buttonRef}
        type="button"
        className="btn btn-ghost btn-sm btn-square"
        aria-label={`Notifications: ${state}`}
        title={`Notifications: ${state}`}
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={busy}
        onClick={() => setOpen((isOpen) => !isOpen)}
      >
        <span aria-hidden="true">{quiet ? "🔕" : "🔔"}</span>
      </button>
      {open && (
        <ul
          {...menu}
          role="menu"
          aria-label="Notifications"
          className="dropdown-content menu menu-sm bg-base-100 text-base-content rounded-box border-base-300 z-30 w-56 border p-1 shadow-lg"
        >
          <li role="presentation" className="menu-title">
            Notify me for
          </li>
          {LEVELS.map(({ level, label }) => (
            <li role="none" key={level}>
              <button
                type="button"
                role="menuitemradio"
                tabIndex={-1}
                aria-checked={notify === level}
                onClick={() => void apply({ notify: level })}
              >
                <span aria-hidden="true" className="w-4">
                  {notify === level ? "✓" : ""}
                </span>
                {label}
              </button>
            </li>
          ))}
          <li role="presentation" className="menu-title">
            {muted ? `Muted until ${formatDateTime(mutedUntil ?? "")}` : "Mute"}
          </li>
          {MUTE_FOR.map(({ label, ms }) => (
            <li role="none" key={label}>
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                aria-label={`Mute for ${label}`}
                onClick={() => void apply({ mutedUntil: new Date(Date.now() + ms).toISOString() })}
              >
                For {label}
              </button>
            </li>
          ))}
          {muted && (
            <li role="none">
              <button type="button" role="menuitem" tabIndex={-1} onClick={() => void apply({ mutedUntil: null })}>
                Unmute
              </button>
            </li>
          )}
        </ul>
      )}
      {error && (
        <span role="alert" className="text-error absolute top-full right-0 z-30 w-56 text-right text-xs">
          {error}
        </span>
      )}
    </div>
  );
}
