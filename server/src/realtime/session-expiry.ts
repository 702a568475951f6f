import type { Accounts } from "../auth/accounts";
import type { Logger } from "../logger";
import type { ParleySocket } from "./types";

// setTimeout fires at once when asked to wait longer than 2^31-1 ms (about 24.8 days), less than a session's life.
const MAX_TIMER_MS = 2 ** 31 - 1;
const RETRY_AFTER_ERROR_MS = 60_000;

/**
 * Disconnects the socket the moment its session expires. At the recorded
 * expiry the session is read again: a renewal (the same session used over
 * HTTP meanwhile) moves the deadline instead.
 */
export function expireWithSession(socket: ParleySocket, deps: { accounts: Accounts; logger: Logger }): void {
  let timer: NodeJS.Timeout | undefined;

  function arm(delayMs: number) {
    timer = setTimeout(check, Math.max(0, Math.min(delayMs, MAX_TIMER_MS)));
  }

  function check() {
    const remainingMs = socket.data.sessionExpiresAt - Date.now();
    if (remainingMs > 0) return arm(remainingMs);
    deps.accounts.sessionExpiry(socket.data.tokenHash).then(
      (expiresAt) => {
        if (!socket.connected) return;
        if (expiresAt === null) {
          socket.disconnect(true);
          return;
        }
        socket.data.sessionExpiresAt = expiresAt;
        arm(expiresAt - Date.now());
      },
      (err: unknown) => {
        deps.logger.warn({ err }, "session expiry check failed");
        if (socket.connected) arm(RETRY_AFTER_ERROR_MS);
      },
    );
  }

  arm(socket.data.sessionExpiresAt - Date.now());
  socket.once("disconnect", () => clearTimeout(timer));
}
