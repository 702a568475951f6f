import { useState } from "react";
import { Link } from "react-router-dom";
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
      <Link to="/settings" className="btn btn-ghost btn-sm">
        Settings
      </Link>
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
