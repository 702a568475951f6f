import { useEffect } from "react";
import { errorMessage } from "../../api/http";
import { useAppDispatch } from "../../app/hooks";
import { useMeQuery } from "../../app/parleyApi";
import { PageSpinner } from "../../components/PageSpinner";
import { sessionVerified, type AuthState } from "./authSlice";

/** Verifies a restored token before the signed-in pages show. */
export function SessionCheck({ auth }: { auth: Extract<AuthState, { status: "verifying" }> }) {
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
