import { useMemo } from "react";
import { useAppDispatch, useAppSelector } from "./hooks";
import { selectToken, signedOut } from "../features/auth/authSlice";
import { createHttpClient, type HttpClient } from "../api/http";

/** An HTTP client carrying the session token; a 401 on an authenticated call signs the user out. */
export function useHttp(): HttpClient {
  const dispatch = useAppDispatch();
  const token = useAppSelector(selectToken);
  return useMemo(() => createHttpClient({ token, onUnauthorized: () => dispatch(signedOut()) }), [token, dispatch]);
}
