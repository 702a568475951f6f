import { lazy } from "react";
import { Navigate, useLocation } from "react-router-dom";
import { useAppSelector } from "../../app/hooks";

// The signed-in side reads the server's API (app/parleyApi.ts), which loads with it and not with the sign-in pages.
const SignedInGate = lazy(() => import("./SignedInGate").then((m) => ({ default: m.SignedInGate })));

/** Lets signed-in users through; verifies a restored token first; sends everyone else to /login and back. */
export function RequireAuth() {
  const auth = useAppSelector((state) => state.auth);
  const location = useLocation();
  if (auth.status === "signedOut") return <Navigate to="/login" replace state={{ from: location }} />;
  return <SignedInGate auth={auth} />;
}
