import { lazy } from "react";
import { Navigate, Outlet, useLocation } from "react-router-dom";
import { useAppSelector } from "../../app/hooks";
import { assertNever } from "../../lib/assertNever";
import { SignedInUserContext } from "./SignedInUser";

// Asks the server through RTK Query, which loads with the signed-in pages and not with the sign-in ones.
const SessionCheck = lazy(() => import("./SessionCheck").then((m) => ({ default: m.SessionCheck })));

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
