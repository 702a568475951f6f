import { useState } from "react";
import { NavLink } from "react-router-dom";
import { NotificationsToggle } from "../notifications/NotificationsToggle";
import { ThemeToggle } from "../theme/ThemeToggle";
import { useSignedInUser } from "./SignedInUser";
import { useSignOut } from "./useSignOut";

/** The signed-in user's end of the top bar: who they are, their preferences, their settings, and signing out. */
export function UserMenu() {
  const user = useSignedInUser();
  const signOut = useSignOut();
  const [busy, setBusy] = useState(false);

  return (
    <div className="flex items-center gap-1 sm:gap-2">
      <NotificationsToggle />
      <ThemeToggle />
      <span className="hidden text-sm md:inline">
        Signed in as <strong>{user.displayName}</strong>
      </span>
      {/* An icon on phones, where the chat's title needs the room. */}
      <NavLink to="/settings" className="btn btn-ghost btn-sm btn-square md:w-auto md:px-3" aria-label="Settings">
        <SettingsIcon />
        <span className="hidden md:inline">Settings</span>
      </NavLink>
      <button
        type="button"
        className="btn btn-ghost btn-sm"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void signOut();
        }}
      >
        Sign out
      </button>
    </div>
  );
}

function SettingsIcon() {
  return (
    <svg aria-hidden="true" className="h-5 w-5" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
      <circle cx="12" cy="12" r="3" />
      <path d="M19.4 15a1.65 1.65 0 0 0 .33 1.82l.06.06a2 2 0 1 1-2.83 2.83l-.06-.06a1.65 1.65 0 0 0-1.82-.33 1.65 1.65 0 0 0-1 1.51V21a2 2 0 1 1-4 0v-.09A1.65 1.65 0 0 0 9 19.4a1.65 1.65 0 0 0-1.82.33l-.06.06a2 2 0 1 1-2.83-2.83l.06-.06a1.65 1.65 0 0 0 .33-1.82 1.65 1.65 0 0 0-1.51-1H3a2 2 0 1 1 0-4h.09A1.65 1.65 0 0 0 4.6 9a1.65 1.65 0 0 0-.33-1.82l-.06-.06a2 2 0 1 1 2.83-2.83l.06.06a1.65 1.65 0 0 0 1.82.33H9a1.65 1.65 0 0 0 1-1.51V3a2 2 0 1 1 4 0v.09a1.65 1.65 0 0 0 1 1.51 1.65 1.65 0 0 0 1.82-.33l.06-.06a2 2 0 1 1 2.83 2.83l-.06.06a1.65 1.65 0 0 0-.33 1.82V9a1.65 1.65 0 0 0 1.51 1H21a2 2 0 1 1 0 4h-.09a1.65 1.65 0 0 0-1.51 1z" />
    </svg>
  );
}
