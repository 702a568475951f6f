import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { NavLink } from "react-router-dom";
import { useSignedInUser } from "./SignedInUser";
import { useSignOut } from "./useSignOut";

/**
 * The signed-in user's menu at the end of the top bar: who they are, Settings, the preferences app/ puts in
 * (`children`: notifications, theme) and signing out, so a chat's header keeps its room for the peer's name.
 */
export function UserMenu({ children }: { children?: ReactNode }) {
  const user = useSignedInUser();
  const signOut = useSignOut();
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);
  const id = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  // A disclosure, not a menu widget: its controls are ordinary buttons. It closes on a click outside or Escape.
  useEffect(() => {
    if (!open) return;
    function onPointerDown(event: PointerEvent) {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    }
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, [open]);

  return (
    <div
      ref={rootRef}
      className="relative"
      onKeyDown={(event) => {
        if (event.key !== "Escape" || !open) return;
        event.stopPropagation();
        setOpen(false);
        buttonRef.current?.focus();
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className="btn btn-ghost btn-sm gap-2 px-1 sm:px-2"
        aria-expanded={open}
        aria-controls={`${id}-menu`}
        onClick={() => setOpen((wasOpen) => !wasOpen)}
      >
        <span
          aria-hidden="true"
          className="bg-neutral text-neutral-content flex size-7 items-center justify-center rounded-full text-xs"
        >
          {initialsOf(user.displayName)}
        </span>
        <span className="sr-only">Account menu</span>
        <span className="hidden max-w-40 truncate lg:inline">{user.displayName}</span>
      </button>
      {open && (
        <div
          id={`${id}-menu`}
          className="bg-base-100 text-base-content rounded-box border-base-300 absolute top-full right-0 z-30 mt-2 flex w-64 flex-col gap-1 border p-2 shadow-lg"
        >
          <p className="border-base-300 mb-1 border-b px-2 pb-2 text-sm">
            Signed in as <strong className="break-words">{user.displayName}</strong>
          </p>
          <NavLink to="/settings" className="btn btn-ghost btn-sm justify-start gap-2" onClick={() => setOpen(false)}>
            <SettingsIcon />
            Settings
          </NavLink>
          {children}
          <button
            type="button"
            className="btn btn-ghost btn-sm justify-start"
            disabled={busy}
            onClick={() => {
              setBusy(true);
              void signOut();
            }}
          >
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}

function initialsOf(name: string): string {
  return name
    .split(/\s+/)
    .slice(0, 2)
    .map((part) => part[0] ?? "")
    .join("")
    .toUpperCase();
}

function SettingsIcon() {
  return (
    <svg aria-hidden="true" className="h-5 w-5" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
      <circle cx="12" cy="12" r="3" />
      <path d="M19.4 15a1.65 1.65 0 0 0 .33 1.82l.06.06a2 2 0 1 1-2.83 2.83l-.06-.06a1.65 1.65 0 0 0-1.82-.33 1.65 1.65 0 0 0-1 1.51V21a2 2 0 1 1-4 0v-.09A1.65 1.65 0 0 0 9 19.4a1.65 1.65 0 0 0-1.82.33l-.06.06a2 2 0 1 1-2.83-2.83l.06-.06a1.65 1.65 0 0 0 .33-1.82 1.65 1.65 0 0 0-1.51-1H3a2 2 0 1 1 0-4h.09A1.65 1.65 0 0 0 4.6 9a1.65 1.65 0 0 0-.33-1.82l-.06-.06a2 2 0 1 1 2.83-2.83l.06.06a1.65 1.65 0 0 0 1.82.33H9a1.65 1.65 0 0 0 1-1.51V3a2 2 0 1 1 4 0v.09a1.65 1.65 0 0 0 1 1.51 1.65 1.65 0 0 0 1.82-.33l.06-.06a2 2 0 1 1 2.83 2.83l-.06.06a1.65 1.65 0 0 0-.33 1.82V9a1.65 1.65 0 0 0 1.51 1H21a2 2 0 1 1 0 4h-.09a1.65 1.65 0 0 0-1.51 1z" />
    </svg>
  );
}
