import { useEffect } from "react";
import { Navigate, Outlet, useLocation } from "react-router-dom";
import { errorMessage } from "../../api/http";
import { useAppDispatch, useAppSelector } from "../../app/hooks";
import { useMeQuery } from "../../app/parleyApi";
import { PageSpinner } from "../../components/PageSpinner";
import { assertNever } from "../../lib/assertNever";
import { sessionVerified, type AuthState } from "./authSlice";
import { SignedInUserContext } from "./SignedInUser";

/** Lets signed-in users through; verifies a restored token first; sends everyone else to /login and back. */
export function RequireAuth() {
  const auth = useAppSelector((state) => state.auth);
  const location = useLocation();

  switch (auth.status) {
    case "signedOut":
      return <Navigate to="/login" replace state={{ from: location }} />;
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
