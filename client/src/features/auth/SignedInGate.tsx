import { useEffect } from "react";
import { Outlet } from "react-router-dom";
import { errorMessage } from "../../api/http";
import { useAppDispatch } from "../../app/hooks";
import { meQuery, useQuery } from "../../app/parleyApi";
import { PageSpinner } from "../../components/PageSpinner";
import { assertNever } from "../../lib/assertNever";
import { sessionVerified, type AuthState } from "./authSlice";
import { SignedInUserContext } from "./SignedInUser";

/** The signed-in side of RequireAuth, loaded with the server's API: a restored token is verified, then the page shows. */
export function SignedInGate({ auth }: { auth: Exclude<AuthState, { status: "signedOut" }> }) {
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
  const { currentData: user, isError, error, refetch } = useQuery(meQuery, auth.token);

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
