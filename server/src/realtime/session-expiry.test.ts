import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Accounts } from "../auth/accounts";
import type { Logger } from "../logger";
import { expireWithSession } from "./session-expiry";
import type { ParleySocket } from "./types";

const DAY = 24 * 60 * 60 * 1000;

/** A socket as far as the expiry timer sees it; `disconnect` and the `disconnect` event are recorded. */
function fakeSocket(sessionExpiresAt: number) {
  const listeners: (() => void)[] = [];
  const socket = {
    data: { userId: "u", tokenHash: "t", sessionExpiresAt },
    connected: true,
    disconnect: vi.fn(() => {
      socket.connected = false;
      for (const listener of listeners) listener();
    }),
    once: (_event: "disconnect", listener: () => void) => listeners.push(listener),
  };
  return socket;
}

function setup(sessionExpiresInMs: number, storedExpiry: () => number | null) {
  const socket = fakeSocket(Date.now() + sessionExpiresInMs);
  const sessionExpiry = vi.fn(async () => storedExpiry());
  const accounts = { sessionExpiry } as unknown as Accounts;
  const logger = { warn: vi.fn() } as unknown as Logger;
  expireWithSession(socket as unknown as ParleySocket, { accounts, logger });
  return { socket, sessionExpiry };
}

describe("expireWithSession", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("waits out a 30-day session although one timer cannot wait that long, then disconnects", async () => {
    const { socket, sessionExpiry } = setup(30 * DAY, () => null);
    await vi.advanceTimersByTimeAsync(30 * DAY - 1);
    expect(sessionExpiry).not.toHaveBeenCalled();
    expect(socket.disconnect).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(sessionExpiry).toHaveBeenCalledTimes(1);
    expect(socket.disconnect).toHaveBeenCalledWith(true);
  });

  it("follows a renewal found at the old expiry", async () => {
    let stored: number | null = Date.now() + 2000;
    const { socket, sessionExpiry } = setup(1000, () => stored);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sessionExpiry).toHaveBeenCalledTimes(1);
    expect(socket.disconnect).not.toHaveBeenCalled();
    stored = null;
    await vi.advanceTimersByTimeAsync(1000);
    expect(socket.disconnect).toHaveBeenCalledTimes(1);
  });

  it("stops when the socket disconnects first", async () => {
    const { socket, sessionExpiry } = setup(1000, () => null);
    socket.disconnect();
    await vi.advanceTimersByTimeAsync(5000);
    expect(sessionExpiry).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
