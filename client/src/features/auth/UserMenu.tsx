import { useState } from "react";
import { useSignedInUser } from "./SignedInUser";
import { useSignOut } from "./useSignOut";

export function UserMenu() {
  const user = useSignedInUser();
  const signOut = useSignOut();
  const [busy, setBusy] = useState(false);

  return (
    <div className="flex items-center gap-2">
      <span className="hidden text-sm sm:inline">
        Signed in as <strong>{user.displayName}</strong>
      </span>
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
