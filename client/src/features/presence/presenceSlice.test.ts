import { describe, expect, it } from "vitest";
import { signedOut } from "../auth/authSlice";
import { presenceReceived, presenceSlice } from "./presenceSlice";

const reduce = presenceSlice.reducer;
const away = { userId: "bob", online: false, lastSeenAt: "2025-01-01T12:00:00.000Z" };

describe("presenceSlice", () => {
  it("keeps the latest presence per user", () => {
    let state = reduce(undefined, presenceReceived({ userId: "bob", online: true, lastSeenAt: null }));
    state = reduce(state, presenceReceived({ userId: "carol", online: true, lastSeenAt: null }));
    state = reduce(state, presenceReceived(away));
    expect(state).toEqual({ bob: away, carol: { userId: "carol", online: true, lastSeenAt: null } });
  });

  it("forgets everything on sign-out", () => {
    expect(reduce(reduce(undefined, presenceReceived(away)), signedOut())).toEqual({});
  });
});
