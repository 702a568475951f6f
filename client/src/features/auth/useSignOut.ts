import { useCallback } from "react";
import { useHttp } from "../../app/useHttp";
import { useAppDispatch } from "../../app/hooks";
import { signedOut } from "./authSlice";

/** Revokes the token on the server (which also closes its sockets), then forgets it here whatever the answer. */
export function useSignOut(): () => Promise<void> {
  const dispatch = useAppDispatch();
  const http = useHttp();
  return useCallback(async () => {
    try {
      await http.post("/api/auth/logout");
    } catch {
      // Signing out locally must not depend on the server being reachable.
    } finally {
      dispatch(signedOut());
    }
  }, [http, dispatch]);
}
