import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import { useCallback, useEffect } from "react";
import {
  LIMITS,
  type AddMembersResponse,
  type ChangesResponse,
  type CreateGroupRequest,
  type GroupResponse,
  type Role,
  type ConversationPageResponse,
  type HistoryResponse,
  type PasswordChangeRequest,
  type SettingsRequest,
  type SettingsResponse,
  type User,
} from "../../../shared/protocol";
import { sendRequest, type ApiFailure, type HttpRequest, type HttpResult } from "../api/http";
import { selectToken, signedOut } from "../features/auth/authSlice";
import { conversationsListed, olderConversationsListed } from "../features/conversations/conversationsSlice";
import { useAppDispatch, useAppSelector } from "./hooks";
import { rootReducer, type AppDispatch, type RootState } from "./store";

/*
 * The signed-in pages' HTTP: what they read, cached by query and argument (one request at a time per entry,
 * kept a minute after its last reader leaves), and what they ask the server to do. Live state stays in the
 * slices, which fold in these answers and the socket's events. Signing in and up go through api/http.ts alone,
 * so the first page a visitor opens loads none of this (docs/architecture.md, "Server data").
 */

type Thunk<T> = (dispatch: AppDispatch, getState: () => RootState) => T;

/** Every request carries the session's token; a 401 on one that carried it signs the user out. */
function sendWithSession<T>(request: HttpRequest): Thunk<Promise<HttpResult<T>>> {
  return async (dispatch, getState) => {
    const token = selectToken(getState());
    const result = await sendRequest(request, token);
    // A wrong current password (password change) is a 401 too, but the session itself is fine.
    if ("error" in result && result.error.status === 401 && token && result.error.code !== "INVALID_CREDENTIALS") {
      dispatch(signedOut());
    }
    // The server's answers are typed by the shared protocol, as every request's are.
    return result as HttpResult<T>;
  };
}

/** A read the signed-in pages share: its answer is cached by name and argument. */
export type Query<Arg, Result> = {
  name: string;
  path: (arg: Arg) => string;
  /** The result from the server's answer, whose shape the shared protocol gives (typed per query, not checked). */
  pick: (response: never) => Result;
  /** Kept while signed in even with nobody reading it (its load state is the page's). */
  keep?: boolean;
  /** What else the answer updates, dispatched while it is still the entry's latest. */
  onData?: (data: Result, dispatch: AppDispatch, arg: Arg) => void;
};

/** Keyed by the token it checks, so a new session never reuses an old answer. */
export const meQuery: Query<string, User> = {
  name: "me",
  path: () => "/api/me",
  pick: (response: { user: User }) => response.user,
};

/** Everyone but me, or those matching the argument (empty: no filter). */
export const usersQuery: Query<string, User[]> = {
  name: "users",
  path: (q) => (q ? `/api/users?q=${encodeURIComponent(q)}` : "/api/users"),
  pick: (response: { users: User[] }) => response.users,
};

export const userQuery: Query<string, User> = {
  name: "user",
  path: (id) => `/api/users/${encodeURIComponent(id)}`,
  pick: (response: { user: User }) => response.user,
};

/**
 * The list's first page. Only a live route's socket starts it, on each connect (anything sent before then
 * reaches it by the socket), and for a conversation first seen live while the list has more pages.
 */
export const conversationsQuery: Query<void, ConversationPageResponse> = {
  name: "conversations",
  path: () => `/api/conversations?limit=${LIMITS.conversationPageDefault}`,
  pick: (response: ConversationPageResponse) => response,
  keep: true,
  // The list's slice sits in the store from the start, so the answer reaches it as its own action.
  onData: (page, dispatch) => dispatch(conversationsListed(page)),
};

/** The page after the cursor, as the list is scrolled; the slice keeps it, the cache only its load state. */
export const olderConversationsQuery: Query<string, ConversationPageResponse> = {
  name: "olderConversations",
  path: (before) => `/api/conversations?limit=${LIMITS.conversationPageDefault}&before=${encodeURIComponent(before)}`,
  pick: (response: ConversationPageResponse) => response,
  onData: (page, dispatch, before) => dispatch(olderConversationsListed({ before, page })),
};

type QueryEntry = {
  status: "pending" | "fulfilled" | "rejected";
  /** The latest request's: an older one's answer changes nothing. */
  requestId: number;
  /** Kept while a refetch runs, so views do not flash back to loading. */
  data?: unknown;
  error?: ApiFailure;
  subscribers: number;
  /** Which "nobody reads this" moment may drop it: a later subscription or release makes older ones moot. */
  unusedSince?: number;
};

/** What an entry with nobody reading it is kept for, so a page that comes back soon shows it at once. */
const KEEP_UNUSED_MS = 60_000;

/** The cache of the queries above, by `name(argument)`. Emptied on sign-out: the next user must not see it. */
export const apiSlice = createSlice({
  name: "api",
  initialState: {} as Record<string, QueryEntry>,
  reducers: {
    queryStarted(state, { payload }: PayloadAction<{ key: string; requestId: number }>) {
      state[payload.key] = { subscribers: 0, ...state[payload.key], status: "pending", requestId: payload.requestId };
    },
    querySettled(state, { payload }: PayloadAction<{ key: string; requestId: number; result: HttpResult<unknown> }>) {
      const entry = state[payload.key];
      if (entry?.requestId !== payload.requestId) return;
      if ("error" in payload.result) {
        entry.status = "rejected";
        entry.error = payload.result.error;
      } else {
        entry.status = "fulfilled";
        entry.data = payload.result.data;
        delete entry.error;
      }
    },
    querySubscribed(state, { payload: key }: PayloadAction<string>) {
      // A reader's entry shows as loading from the start; its fetch follows at once.
      const entry = (state[key] ??= { status: "pending", requestId: 0, subscribers: 0 });
      entry.subscribers += 1;
    },
    queryReleased(state, { payload: key }: PayloadAction<string>) {
      const entry = state[key];
      if (entry) entry.subscribers -= 1;
    },
    queryUnused(state, { payload }: PayloadAction<{ key: string; since: number }>) {
      const entry = state[payload.key];
      if (entry?.subscribers === 0) entry.unusedSince = payload.since;
    },
    queryExpired(state, { payload }: PayloadAction<{ key: string; since: number }>) {
      const entry = state[payload.key];
      if (entry?.subscribers === 0 && entry.unusedSince === payload.since) delete state[payload.key];
    },
  },
  extraReducers: (builder) => {
    builder.addCase(signedOut, () => ({}));
  },
});

const { queryStarted, querySettled, querySubscribed, queryReleased, queryUnused, queryExpired } = apiSlice.actions;

// Request ids and release moments are unique across stores, so the in-flight requests can be shared by id.
let lastId = 0;
const inFlight = new Map<number, Promise<HttpResult<unknown>>>();

function cacheKey<Arg>(query: { name: string }, arg: Arg): string {
  return `${query.name}(${JSON.stringify(arg) ?? ""})`;
}

function selectEntry<Arg>(state: RootState, query: { name: string }, arg: Arg): QueryEntry | undefined {
  return state.api?.[cacheKey(query, arg)];
}

/** Drops the entry after KEEP_UNUSED_MS unless someone reads it again meanwhile. */
function expireWhenUnused(key: string): Thunk<void> {
  return (dispatch, getState) => {
    const since = ++lastId;
    dispatch(queryUnused({ key, since }));
    if (getState().api?.[key]?.unusedSince === since)
      setTimeout(() => dispatch(queryExpired({ key, since })), KEEP_UNUSED_MS);
  };
}

/**
 * The query's answer: the cached one unless `refetch`; while a request for it is in flight, that request's
 * (one request for any number of views asking at once, StrictMode included).
 */
export function fetchQuery<Arg, Result>(
  query: Query<Arg, Result>,
  arg: Arg,
  { refetch = false } = {},
): Thunk<Promise<HttpResult<Result>>> {
  return (dispatch, getState) => {
    const key = cacheKey(query, arg);
    const entry = getState().api?.[key];
    const pending = entry?.status === "pending" ? inFlight.get(entry.requestId) : undefined;
    if (pending) return pending as Promise<HttpResult<Result>>;
    if (entry?.status === "fulfilled" && !refetch) return Promise.resolve({ data: entry.data as Result });

    const requestId = ++lastId;
    dispatch(queryStarted({ key, requestId }));
    const request = dispatch(sendWithSession<never>({ path: query.path(arg) })).then((answer): HttpResult<Result> => {
      inFlight.delete(requestId);
      const result = "error" in answer ? answer : { data: query.pick(answer.data) };
      dispatch(querySettled({ key, requestId, result }));
      const settled = getState().api?.[key];
      if (settled?.requestId !== requestId) return result;
      if ("data" in result) query.onData?.(result.data, dispatch, arg);
      if (settled.subscribers === 0 && !query.keep) dispatch(expireWhenUnused(key));
      return result;
    });
    inFlight.set(requestId, request);
    return request;
  };
}

/** A query's state for a view that only reads it (someone else starts it). */
export function useQueryState<Arg, Result>(query: Query<Arg, Result>, arg: Arg) {
  const entry = useAppSelector((state) => selectEntry(state, query, arg));
  const data = entry?.data as Result | undefined;
  return {
    /** This argument's answer (kept while it is fetched again), never another argument's. */
    currentData: data,
    isLoading: entry?.status !== "rejected" && data === undefined,
    /** An answer is in, and no failure came since (a refetch after a failure is loading again). */
    isSuccess: entry?.status === "fulfilled" || (data !== undefined && entry?.error === undefined),
    isError: entry?.status === "rejected",
    error: entry?.error,
  };
}

/** A query a view reads and keeps cached while it shows: fetched unless its answer is already held. */
export function useQuery<Arg, Result>(query: Query<Arg, Result>, arg: Arg) {
  const dispatch = useAppDispatch();
  const key = cacheKey(query, arg);
  // Every argument here is a string or nothing, so the effect runs again only when the key changes.
  useEffect(() => {
    dispatch(querySubscribed(key));
    void dispatch(fetchQuery(query, arg));
    return () => {
      dispatch(queryReleased(key));
      if (!query.keep) dispatch(expireWhenUnused(key));
    };
  }, [query, arg, key, dispatch]);
  const refetch = useCallback(() => dispatch(fetchQuery(query, arg, { refetch: true })), [query, arg, dispatch]);
  return { ...useQueryState(query, arg), refetch };
}

/** `ref`: the peer's id, or the conversation's id (a group's), URL-encoded as v2 §0 says. */
const conversationPath = (ref: string) => `/api/conversations/${encodeURIComponent(ref)}`;

// History pages and changes feed the chat slice, which holds the messages; nothing caches them.
export const requestMessagesBefore = (ref: string, beforeSeq: number) =>
  sendWithSession<HistoryResponse>({
    path: `${conversationPath(ref)}/messages?beforeSeq=${beforeSeq}&limit=${LIMITS.historyDefaultLimit}`,
  });

export const requestMessagesAfter = (ref: string, afterSeq: number) =>
  sendWithSession<HistoryResponse>({
    path: `${conversationPath(ref)}/messages?afterSeq=${afterSeq}&limit=${LIMITS.historyAfterMax}`,
  });

export const requestChanges = (ref: string, sinceRev: number, uptoSeq: number) =>
  sendWithSession<ChangesResponse>({
    path: `${conversationPath(ref)}/changes?sinceRev=${sinceRev}&uptoSeq=${uptoSeq}`,
  });

// Groups (v2 §2): each change comes back to every member as a system message too, which keeps the views current.
const groupPath = (groupId: string) => `/api/groups/${encodeURIComponent(groupId)}`;

export const requestGroup = (groupId: string) => sendWithSession<GroupResponse>({ path: groupPath(groupId) });

/** Retry-safe: the same clientId answers the group it made the first time. */
export const createGroup = (body: CreateGroupRequest) =>
  sendWithSession<GroupResponse>({ path: "/api/groups", method: "POST", body });

export const renameGroup = (groupId: string, name: string) =>
  sendWithSession<GroupResponse>({ path: groupPath(groupId), method: "PATCH", body: { name } });

export const addGroupMembers = (groupId: string, userIds: string[]) =>
  sendWithSession<AddMembersResponse>({ path: `${groupPath(groupId)}/members`, method: "POST", body: { userIds } });

export const setGroupRole = (groupId: string, userId: string, role: Role) =>
  sendWithSession<GroupResponse>({
    path: `${groupPath(groupId)}/members/${encodeURIComponent(userId)}`,
    method: "PUT",
    body: { role },
  });

export const removeGroupMember = (groupId: string, userId: string) =>
  sendWithSession<void>({ path: `${groupPath(groupId)}/members/${encodeURIComponent(userId)}`, method: "DELETE" });

export const leaveGroup = (groupId: string) =>
  sendWithSession<void>({ path: `${groupPath(groupId)}/leave`, method: "POST" });
/** `ref`: the peer's id or the conversation's id (v2 §0); the answer is applied like a settings event. */
export const updateConversationSettings = (ref: string, body: SettingsRequest) =>
  sendWithSession<SettingsResponse>({ path: `${conversationPath(ref)}/settings`, method: "PUT", body });

export const changePassword = (body: PasswordChangeRequest) =>
  sendWithSession<void>({ path: "/api/auth/password", method: "POST", body });

export const logout = () => sendWithSession<void>({ path: "/api/auth/logout", method: "POST" });

export const logoutAll = () => sendWithSession<void>({ path: "/api/auth/logout-all", method: "POST" });

rootReducer.inject(apiSlice);
