import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import type { PresenceEvent } from "../../../../shared/protocol";
import type { RootState } from "../../app/store";
import { signedOut } from "../auth/authSlice";

/** The latest presence heard per user id (a `presence` event, or the peer a join answered with). */
export type PresenceState = Record<string, PresenceEvent>;

const initialState: PresenceState = {};

export const presenceSlice = createSlice({
  name: "presence",
  initialState,
  reducers: {
    presenceReceived: (state, action: PayloadAction<PresenceEvent>) => {
      state[action.payload.userId] = action.payload;
    },
  },
  extraReducers: (builder) => {
    builder.addCase(signedOut, () => initialState);
  },
});

export const { presenceReceived } = presenceSlice.actions;

export const selectPresence = (state: RootState, userId: string): PresenceEvent | undefined => state.presence[userId];
