import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import type { User } from "../../../../shared/protocol";

export type AuthState =
  | { status: "signedOut"; token: null; user: null }
  /** A stored token was found; GET /api/me has not confirmed it yet. */
  | { status: "verifying"; token: string; user: null }
  | { status: "signedIn"; token: string; user: User };

const signedOutState: AuthState = { status: "signedOut", token: null, user: null };

export function authStateFromToken(token: string | null): AuthState {
  return token ? { status: "verifying", token, user: null } : signedOutState;
}

export const authSlice = createSlice({
  name: "auth",
  initialState: signedOutState as AuthState,
  reducers: {
    signedIn: (_state, action: PayloadAction<{ token: string; user: User; remember: boolean }>): AuthState => ({
      status: "signedIn",
      token: action.payload.token,
      user: action.payload.user,
    }),
    sessionVerified: (state, action: PayloadAction<User>): AuthState =>
      state.token === null ? state : { status: "signedIn", token: state.token, user: action.payload },
    signedOut: (): AuthState => signedOutState,
  },
  selectors: {
    selectAuthStatus: (auth) => auth.status,
    selectToken: (auth) => auth.token,
  },
});

export const { signedIn, sessionVerified, signedOut } = authSlice.actions;
export const { selectAuthStatus, selectToken } = authSlice.selectors;
