import { createApi, type BaseQueryFn } from "@reduxjs/toolkit/query/react";
import {
  LIMITS,
  type AuthResponse,
  type ChangesResponse,
  type ConversationSummary,
  type HistoryResponse,
  type LoginRequest,
  type PasswordChangeRequest,
  type RegisterRequest,
  type User,
} from "../../../shared/protocol";
import { sendRequest, type ApiFailure, type HttpRequest } from "../api/http";
import { selectToken, signedOut, type AuthState } from "../features/auth/authSlice";

/** Every request carries the session's token; a 401 on one that carried it signs the user out. */
const sessionQuery: BaseQueryFn<string | HttpRequest, unknown, ApiFailure> = async (
  request,
  { getState, dispatch, signal },
) => {
  const token = selectToken(getState() as { auth: AuthState });
  const result = await sendRequest(typeof request === "string" ? { path: request } : request, token, signal);
  // A wrong current password (password change) is a 401 too, but the session itself is fine.
  if ("error" in result && result.error.status === 401 && token && result.error.code !== "INVALID_CREDENTIALS") {
    dispatch(signedOut());
  }
  return result;
};

const conversationPath = (peerId: string) => `/api/conversations/${encodeURIComponent(peerId)}`;

/**
 * All of the client's HTTP: what it reads (cached, shared, deduplicated while in flight) and what it asks
 * the server to do. Live state stays in the slices, which fold in these answers and the socket's events.
 */
export const parleyApi = createApi({
  reducerPath: "api",
  baseQuery: sessionQuery,
  endpoints: (build) => ({
    /** Keyed by the token it checks, so a new session never reuses an old answer. */
    me: build.query<User, string>({
      query: () => "/api/me",
      transformResponse: (response: { user: User }) => response.user,
    }),
    /** Everyone but me, or those matching `q` (empty: no filter). */
    users: build.query<User[], string>({
      query: (q) => (q ? `/api/users?q=${encodeURIComponent(q)}` : "/api/users"),
      transformResponse: (response: { users: User[] }) => response.users,
    }),
    user: build.query<User, string>({
      query: (id) => `/api/users/${encodeURIComponent(id)}`,
      transformResponse: (response: { user: User }) => response.user,
    }),
    /** Only a live route's socket starts it, on each connect: anything sent before then reaches it by the socket. */
    conversations: build.query<ConversationSummary[], void>({
      query: () => "/api/conversations",
      transformResponse: (response: { conversations: ConversationSummary[] }) => response.conversations,
    }),
    // History pages feed the chat slice, which holds the messages; the cache keeps nothing of them.
    messagesBefore: build.query<HistoryResponse, { peerId: string; beforeSeq: number }>({
      query: ({ peerId, beforeSeq }) =>
        `${conversationPath(peerId)}/messages?beforeSeq=${beforeSeq}&limit=${LIMITS.historyDefaultLimit}`,
      keepUnusedDataFor: 0,
    }),
    messagesAfter: build.query<HistoryResponse, { peerId: string; afterSeq: number }>({
      query: ({ peerId, afterSeq }) =>
        `${conversationPath(peerId)}/messages?afterSeq=${afterSeq}&limit=${LIMITS.historyAfterMax}`,
      keepUnusedDataFor: 0,
    }),
    changes: build.query<ChangesResponse, { peerId: string; sinceRev: number; uptoSeq: number }>({
      query: ({ peerId, sinceRev, uptoSeq }) =>
        `${conversationPath(peerId)}/changes?sinceRev=${sinceRev}&uptoSeq=${uptoSeq}`,
      keepUnusedDataFor: 0,
    }),
    login: build.mutation<AuthResponse, LoginRequest>({
      query: (body) => ({ path: "/api/auth/login", method: "POST", body }),
    }),
    register: build.mutation<AuthResponse, RegisterRequest>({
      query: (body) => ({ path: "/api/auth/register", method: "POST", body }),
    }),
    changePassword: build.mutation<void, PasswordChangeRequest>({
      query: (body) => ({ path: "/api/auth/password", method: "POST", body }),
    }),
    logout: build.mutation<void, void>({
      query: () => ({ path: "/api/auth/logout", method: "POST" }),
    }),
    logoutAll: build.mutation<void, void>({
      query: () => ({ path: "/api/auth/logout-all", method: "POST" }),
    }),
  }),
});

export const {
  useMeQuery,
  useUsersQuery,
  useUserQuery,
  useLoginMutation,
  useRegisterMutation,
  useChangePasswordMutation,
  useLogoutMutation,
  useLogoutAllMutation,
} = parleyApi;
