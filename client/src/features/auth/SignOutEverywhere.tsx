import { useEffect, useId, useRef, useState } from "react";
import { errorMessage, unwrap } from "../../api/http";
import { useAppDispatch } from "../../app/hooks";
import { logoutAll } from "../../app/parleyApi";
import { signedOut } from "./authSlice";

/**
 * Revokes every session of the user, this one included, after a confirmation. Unlike a plain sign-out,
 * a failure keeps this session: the other devices are still signed in, so the user should know and retry.
 */
export function SignOutEverywhere() {
  const id = useId();
  const dispatch = useAppDispatch();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const startRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);

  // The focus follows the step, so a keyboard user is never left on a button that vanished.
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
    else if (wasConfirming.current) startRef.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  async function signOutEverywhere() {
    setBusy(true);
    setError(null);
    try {
      unwrap(await dispatch(logoutAll()));
      // Sign-in follows: the signed-in routes send a signed-out user there.
      dispatch(signedOut());
    } catch (failure) {
      // A 401 has already signed out inside the API's base query: the session was gone anyway.
      setError(errorMessage(failure));
      setBusy(false);
    }
  }

  return (
    <section className="card-body gap-4" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="card-title">
        Sign out of all devices
      </h2>
      <p id={`${id}-explanation`}>
        Signs you out here and on every other browser and device where you are signed in to Parley.
      </p>
      {error && (
        <div role="alert" className="alert alert-error">
          <span>{error}</span>
        </div>
      )}
      {confirming ? (
        <div role="group" aria-label="Confirm signing out of all devices" className="flex flex-wrap items-center gap-2">
          <span className="font-medium">Sign out everywhere, this device included?</span>
          <button
            ref={confirmRef}
            type="button"
            className="btn btn-error"
            disabled={busy}
            onClick={() => void signOutEverywhere()}
          >
            {busy && <span className="loading loading-spinner loading-sm" aria-hidden="true" />}
            {busy ? "Signing out…" : "Yes, sign out everywhere"}
          </button>
          <button type="button" className="btn btn-ghost" disabled={busy} onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button
          ref={startRef}
          type="button"
          className="btn btn-outline btn-error self-start"
          aria-describedby={`${id}-explanation`}
          onClick={() => setConfirming(true)}
        >
          Sign out of all devices
        </button>
      )}
    </section>
  );
}
