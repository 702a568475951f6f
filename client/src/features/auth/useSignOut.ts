import { useCallback } from "react";
import { useAppDispatch } from "../../app/hooks";
import { useLogoutMutation } from "../../app/parleyApi";
import { signedOut } from "./authSlice";

/** Revokes the token on the server (which also closes its sockets), then forgets it here whatever the answer. */
export function useSignOut(): () => Promise<void> {
  const dispatch = useAppDispatch();
  const [logout] = useLogoutMutation();
  return useCallback(async () => {
    try {
      await logout().unwrap();
    } catch {
      // Signing out locally must not depend on the server being reachable.
    } finally {
      dispatch(signedOut());
    }
  }, [logout, dispatch]);
}
