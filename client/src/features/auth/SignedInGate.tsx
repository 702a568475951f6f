import { useEffect, useLayoutEffect } from "react";
import { Outlet } from "react-router-dom";
import { errorMessage } from "../../api/http";
import { useAppDispatch, useAppSelector } from "../../app/hooks";
import { apiJoined, useMeQuery } from "../../app/parleyApi";
import { PageSpinner } from "../../components/PageSpinner";
import { assertNever } from "../../lib/assertNever";
import { sessionVerified, type AuthState } from "./authSlice";
import { SignedInUserContext } from "./SignedInUser";

/**
 * The signed-in side of RequireAuth, loaded with the server's API (RTK Query): the API gets its state in the
 * store first, then a restored token is verified, then the page shows.
 */
export function SignedInGate({ auth }: { auth: Exclude<AuthState, { status: "signedOut" }> }) {
  const dispatch = useAppDispatch();
  const apiReady = useAppSelector((state) => state.api !== undefined);
  // RTK Query reads its state before its first query dispatches anything. Before the first paint: no flash.
  useLayoutEffect(() => {
    if (!apiReady) dispatch(apiJoined());
  }, [apiReady, dispatch]);

  if (!apiReady) return null;
  switch (auth.status) {
    case "verifying":
      return <SessionCheck auth={auth} />;
    case "signedIn":
      return (
        <SignedInUserContext value={auth.user}>
          <Outlet />
        </SignedInUserContext>
      );
    default:
      return assertNever(auth);
  }
}

/** Verifies a restored token before the signed-in pages show. */
function SessionCheck({ auth }: { auth: Extract<AuthState, { status: "verifying" }> }) {
  const dispatch = useAppDispatch();
  // A 401 signs out inside the API's base query; anything else (server down) offers a retry.
  const { currentData: user, isError, error, refetch } = useMeQuery(auth.token);

  useEffect(() => {
    if (user) dispatch(sessionVerified(user));
  }, [user, dispatch]);

  if (isError) {
    return (
      <main className="flex min-h-dvh items-center justify-center p-4">
        <div role="alert" className="alert alert-error max-w-md">
          <span>{errorMessage(error)}</span>
          <button type="button" className="btn btn-sm" onClick={() => void refetch()}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  return <PageSpinner label="Checking your session" />;
}
