import { setImmediate as nextTurn } from "node:timers/promises";
import type { Request, RequestHandler, Response } from "express";
import type { Accounts, Session } from "../auth/accounts";
import { AppError } from "../errors";
import { createKeyedQueue } from "../lib/serial-queue";

export type AuthedHandler = (req: Request, res: Response, session: Session) => Promise<void>;

// A user's requests waiting behind the one in progress, at most; one more is refused.
export const MAX_WAITING_PER_USER = 16;
const QUEUE_FULL_RETRY_MS = 1000;

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  return match?.[1];
}

/**
 * Wraps a handler that needs a signed-in caller; everyone else gets 401
 * UNAUTHORIZED. A user's requests run one at a time, whatever connection
 * they come on, and at most one of them in a turn of the event loop: SQLite
 * answers synchronously, so a user asking on many connections at once for
 * large pages would otherwise hold the server for all of them in a row while
 * everyone else waited (docs/SECURITY.md). More than MAX_WAITING_PER_USER
 * waiting is RATE_LIMITED, so waiting costs no unbounded memory.
 */
export function createAuthed(accounts: Accounts) {
  const oneAtATime = createKeyedQueue();
  const waiting = new Map<string, number>();
  // Users who started a request in this turn of the event loop; each is forgotten at the turn's end.
  const ranThisTurn = new Set<string>();
  return (handler: AuthedHandler): RequestHandler =>
    async (req, res) => {
      const session = await accounts.authenticate(bearerToken(req.get("authorization")));
      if (!session) throw new AppError("UNAUTHORIZED", "sign in first");
      const userId = session.user.id;
      const ahead = waiting.get(userId) ?? 0;
      if (ahead > MAX_WAITING_PER_USER)
        throw new AppError("RATE_LIMITED", "too many requests waiting", 429, QUEUE_FULL_RETRY_MS);
      waiting.set(userId, ahead + 1);
      try {
        await oneAtATime(userId, async () => {
          if (ranThisTurn.has(userId)) await nextTurn();
          ranThisTurn.add(userId);
          setImmediate(() => ranThisTurn.delete(userId));
          await handler(req, res, session);
        });
      } finally {
        const left = waiting.get(userId)! - 1;
        if (left === 0) waiting.delete(userId);
        else waiting.set(userId, left);
      }
    };
}

export type Authed = ReturnType<typeof createAuthed>;
