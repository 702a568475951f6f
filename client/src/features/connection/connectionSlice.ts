import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import type { RootState } from "../../app/store";
import { signedOut } from "../auth/authSlice";

/**
 * "offline" is the browser's own verdict (`offline` event); the socket is closed until it is back.
 * "tooManyConnections": the server refused the handshake (too many tabs or devices); nothing retries by itself.
 */
export type ConnectionStatus =
  "connecting" | "connected" | "reconnecting" | "offline" | "disconnected" | "tooManyConnections";

/** The route socket's connection, whichever route holds it. */
export type ConnectionState = {
  status: ConnectionStatus;
  /** The Manager's reconnection attempt while reconnecting; 0 otherwise. */
  reconnectAttempt: number;
};

const initialState: ConnectionState = { status: "disconnected", reconnectAttempt: 0 };

export const connectionSlice = createSlice({
  name: "connection",
  initialState,
  reducers: {
    connectionStatusChanged: (state, action: PayloadAction<ConnectionStatus>) => {
      state.status = action.payload;
      state.reconnectAttempt = 0;
    },
    reconnectAttempted: (state, action: PayloadAction<number>) => {
      state.status = "reconnecting";
      state.reconnectAttempt = action.payload;
    },
  },
  extraReducers: (builder) => {
    builder.addCase(signedOut, () => initialState);
  },
});

export const { connectionStatusChanged, reconnectAttempted } = connectionSlice.actions;

export const selectConnectionStatus = (state: RootState) => state.connection.status;
export const selectReconnectAttempt = (state: RootState) => state.connection.reconnectAttempt;
