import type { Logger } from "../logger";
import type { ParleyServer } from "./types";

/**
 * Counts each user's sockets. Behind an interface so a shared (Redis) counter
 * can replace the in-process one when several nodes serve the same users.
 */
export interface ConnectionCounter {
  /** Takes one slot for the user; false (nothing taken) when the user already has the maximum. */
  acquire(userId: string): Promise<boolean>;
  /** Gives back a slot taken by acquire. */
  release(userId: string): void;
}

/** The single-node counter: a map of user id to sockets, without entries for users at zero. */
export function createMemoryConnectionCounter(maxPerUser: number) {
  const counts = new Map<string, number>();
  return {
    acquire(userId: string): Promise<boolean> {
      const count = counts.get(userId) ?? 0;
      if (count >= maxPerUser) return Promise.resolve(false);
      counts.set(userId, count + 1);
      return Promise.resolve(true);
    },
    release(userId: string): void {
      const count = counts.get(userId) ?? 0;
      if (count <= 1) counts.delete(userId);
      else counts.set(userId, count - 1);
    },
    /** Slots held by the user (for tests and metrics). */
    count: (userId: string): number => counts.get(userId) ?? 0,
  } satisfies ConnectionCounter & { count(userId: string): number };
}

/**
 * The handshake middleware that caps sockets per user; it runs after
 * authentication and must be the last middleware (or be followed only by
 * synchronous ones): Socket.IO decides a handshake on the tick after the last
 * middleware's next(), so a tick after ours the socket is either connected
 * or will never be, and the slot is released exactly once either way.
 */
export function limitSocketsPerUser(io: ParleyServer, counter: ConnectionCounter, logger: Logger): void {
  io.use((socket, next) => {
    const { userId } = socket.data;
    counter.acquire(userId).then(
      (acquired) => {
        if (!acquired) return next(new Error("TOO_MANY_CONNECTIONS"));
        let held = true;
        const release = () => {
          if (!held) return;
          held = false;
          counter.release(userId);
        };
        next();
        process.nextTick(() => {
          // Rejected further down the chain, or the client left while the handshake was pending.
          if (!socket.connected) return release();
          socket.once("disconnect", release);
        });
      },
      (err: unknown) => {
        logger.error({ err }, "socket count unavailable");
        next(new Error("INTERNAL"));
      },
    );
  });
}
