import { useEffect, useState } from "react";
import { Navigate, Outlet, useLocation } from "react-router-dom";
import type { User } from "../../../../shared/protocol";
import { errorMessage } from "../../api/http";
import { useHttp } from "../../app/useHttp";
import { useAppDispatch, useAppSelector } from "../../app/hooks";
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
  const http = useHttp();
  const [failure, setFailure] = useState<{ token: string; message: string } | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let active = true;
    // A 401 signs out inside the HTTP client; anything else (server down) offers a retry.
    http.get<{ user: User }>("/api/me").then(
      ({ user }) => {
        if (active) dispatch(sessionVerified(user));
      },
      (error: unknown) => {
        if (active) setFailure({ token: auth.token, message: errorMessage(error) });
      },
    );
    return () => {
      active = false;
    };
  }, [http, dispatch, auth.token, attempt]);

  if (failure?.token === auth.token) {
    return (
      <main className="flex min-h-dvh items-center justify-center p-4">
        <div role="alert" className="alert alert-error max-w-md">
          <span>{failure.message}</span>
          <button
            type="button"
            className="btn btn-sm"
            onClick={() => {
              setFailure(null);
              setAttempt((n) => n + 1);
            }}
          >
            Try again
          </button>
        </div>
      </main>
    );
  }
  return (
    <main className="flex min-h-dvh items-center justify-center" aria-busy="true">
      <span className="loading loading-spinner loading-lg" aria-label="Checking your session" />
    </main>
  );
}
