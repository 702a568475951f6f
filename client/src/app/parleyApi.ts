import { createAction, createListenerMiddleware } from "@reduxjs/toolkit";
import { createApi, type BaseQueryFn } from "@reduxjs/toolkit/query/react";
import {
  LIMITS,
  type ChangesResponse,
  type ConversationPageResponse,
  type HistoryResponse,
  type PasswordChangeRequest,
  type User,
} from "../../../shared/protocol";
import { sendRequest, type ApiFailure, type HttpRequest } from "../api/http";
import { selectToken, signedOut, type AuthState } from "../features/auth/authSlice";
import { conversationsListed, olderConversationsListed } from "../features/conversations/conversationsSlice";
import { dynamicMiddleware, rootReducer } from "./store";

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
 * The signed-in pages' HTTP: what they read (cached, shared, deduplicated while in flight) and what they ask
 * the server to do. Live state stays in the slices, which fold in these answers and the socket's events.
 * Signing in and up go through api/http.ts alone, so the first page a visitor opens loads none of RTK Query.
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
    /**
     * The list's first page. Only a live route's socket starts it, on each connect (anything sent before then
     * reaches it by the socket), and for a conversation first seen live while the list has more pages.
     */
    conversations: build.query<ConversationPageResponse, void>({
      query: () => `/api/conversations?limit=${LIMITS.conversationPageDefault}`,
      // The list's slice sits in the store from the start, so the answer reaches it as its own action.
      onQueryStarted: async (_arg, { dispatch, queryFulfilled }) => {
        const answer = await queryFulfilled.catch(() => null);
        if (answer) dispatch(conversationsListed(answer.data));
      },
    }),
    /** The page after the cursor `before`, as the list is scrolled; the cache keeps none of it. */
    olderConversations: build.query<ConversationPageResponse, string>({
      query: (before) =>
        `/api/conversations?limit=${LIMITS.conversationPageDefault}&before=${encodeURIComponent(before)}`,
      keepUnusedDataFor: 0,
      onQueryStarted: async (before, { dispatch, queryFulfilled }) => {
        const answer = await queryFulfilled.catch(() => null);
        if (answer) dispatch(olderConversationsListed({ before, page: answer.data }));
      },
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
  useLazyOlderConversationsQuery,
  useChangePasswordMutation,
  useLogoutMutation,
  useLogoutAllMutation,
} = parleyApi;

/**
 * Gives a store the API's initial state: RTK Query reads its state before its first query dispatches anything.
 * SignedInGate dispatches it before the signed-in pages render (docs/architecture.md, "Server data").
 */
export const apiJoined = createAction("api/joined");

// The next user of this tab must not see the last one's people or conversations from the cache.
const cacheReset = createListenerMiddleware();
cacheReset.startListening({
  actionCreator: signedOut,
  effect: (_action, api) => {
    api.dispatch(parleyApi.util.resetApiState());
  },
});

rootReducer.inject(parleyApi);
dynamicMiddleware.addMiddleware(parleyApi.middleware, cacheReset.middleware);
