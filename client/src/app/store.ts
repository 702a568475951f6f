import { combineSlices, configureStore, createListenerMiddleware, type WithSlice } from "@reduxjs/toolkit";
import { authSlice, signedIn, signedOut } from "../features/auth/authSlice";
import { forgetToken, saveToken } from "../features/auth/tokenStorage";
import { chatSlice } from "../features/chat/chatSlice";
import { forgetOutbox, saveOutbox, type StoredOutbox } from "../features/chat/outbox";
import { connectionSlice } from "../features/connection/connectionSlice";
import { conversationsSlice } from "../features/conversations/conversationsSlice";
import { presenceSlice } from "../features/presence/presenceSlice";
import type { apiSlice } from "./parleyApi";

/**
 * The server's API cache is injected by parleyApi.ts when the signed-in side of RequireAuth loads, so the
 * sign-in pages a visitor opens first load none of it (docs/benchmarks.md).
 */
export const rootReducer = combineSlices(
  authSlice,
  chatSlice,
  conversationsSlice,
  connectionSlice,
  presenceSlice,
).withLazyLoadedSlices<WithSlice<typeof apiSlice>>();

export type RootState = ReturnType<typeof rootReducer>;

export function makeStore(preloadedState?: Partial<RootState>) {
  // Storage writes follow the auth events, so reducers stay pure and every sign-out path (button, 401, rejected socket) clears it.
  const sessionPersistence = createListenerMiddleware<RootState>();
  sessionPersistence.startListening({
    actionCreator: signedIn,
    effect: ({ payload }) => saveToken(payload.token, payload.remember),
  });
  sessionPersistence.startListening({
    actionCreator: signedOut,
    effect: (_action, api) => {
      const { token, user } = api.getOriginalState().auth;
      forgetToken(token);
      if (user) forgetOutbox(user.id);
    },
  });
  // The outbox follows every change of unsettled sends, so a reload of the tab finds them again.
  sessionPersistence.startListening({
    predicate: (_action, current, previous) => changedOutbox(current, previous) !== null,
    effect: (_action, api) => {
      const state = api.getState();
      const changed = changedOutbox(state, api.getOriginalState());
      if (state.auth.user && changed) saveOutbox(state.auth.user.id, changed);
    },
  });

  return configureStore({
    reducer: rootReducer,
    preloadedState,
    middleware: (getDefaultMiddleware) => getDefaultMiddleware().prepend(sessionPersistence.middleware),
  });
}

/** The unsettled sends of every conversation whose outbox changed; null when none did. */
function changedOutbox(current: RootState, previous: RootState): StoredOutbox | null {
  if (current.chat.conversations === previous.chat.conversations) return null;
  let changed: StoredOutbox | null = null;
  for (const conversation of Object.values(current.chat.conversations)) {
    if (conversation.pending === previous.chat.conversations[conversation.conversationId]?.pending) continue;
    changed ??= {};
    const { ids, entities } = conversation.pending;
    changed[conversation.conversationId] = ids.map((clientId) => entities[clientId]).filter((m) => m !== undefined);
  }
  return changed;
}

export type AppStore = ReturnType<typeof makeStore>;
export type AppDispatch = AppStore["dispatch"];
