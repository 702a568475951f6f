import { describe, expect, it } from "vitest";
import { signedOut } from "../auth/authSlice";
import { connectionSlice, connectionStatusChanged, reconnectAttempted } from "./connectionSlice";

const reduce = connectionSlice.reducer;

describe("connectionSlice", () => {
  it("follows the socket's status and counts reconnect attempts, reset by any new status", () => {
    let state = reduce(undefined, connectionStatusChanged("connected"));
    expect(state).toEqual({ status: "connected", reconnectAttempt: 0 });
    state = reduce(state, reconnectAttempted(3));
    expect(state).toEqual({ status: "reconnecting", reconnectAttempt: 3 });
    state = reduce(state, connectionStatusChanged("connected"));
    expect(state).toEqual({ status: "connected", reconnectAttempt: 0 });
  });

  it("forgets everything on sign-out", () => {
    expect(reduce(reduce(undefined, reconnectAttempted(2)), signedOut())).toEqual(reduce(undefined, { type: "" }));
  });
});
