import { useCallback } from "react";
import { unwrap } from "../../api/http";
import { useAppDispatch } from "../../app/hooks";
import { logout } from "../../app/parleyApi";
import { signedOut } from "./authSlice";

/** Revokes the token on the server (which also closes its sockets), then forgets it here whatever the answer. */
export function useSignOut(): () => Promise<void> {
  const dispatch = useAppDispatch();
  return useCallback(async () => {
    try {
      unwrap(await dispatch(logout()));
    } catch {
      // Signing out locally must not depend on the server being reachable.
    } finally {
      dispatch(signedOut());
    }
  }, [dispatch]);
}
