import { combineSlices, configureStore, createListenerMiddleware } from "@reduxjs/toolkit";
import { authSlice, signedIn, signedOut } from "../features/auth/authSlice";
import { forgetToken, saveToken } from "../features/auth/tokenStorage";
import { chatSlice } from "../features/chat/chatSlice";

const rootReducer = combineSlices(authSlice, chatSlice);

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
    effect: (_action, api) => forgetToken(api.getOriginalState().auth.token),
  });

  return configureStore({
    reducer: rootReducer,
    preloadedState,
    middleware: (getDefaultMiddleware) => getDefaultMiddleware().prepend(sessionPersistence.middleware),
  });
}

export type AppStore = ReturnType<typeof makeStore>;
export type AppDispatch = AppStore["dispatch"];
