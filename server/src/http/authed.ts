import type { Request, RequestHandler, Response } from "express";
import type { Accounts, Session } from "../auth/accounts";
import { AppError } from "../errors";
import { createKeyedQueue } from "../lib/serial-queue";
import type { TakeTurn } from "../lib/turns";

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
 * they come on, each in a turn of the event loop the user takes with
 * `takeTurn` (shared with the user's socket events). More than
 * MAX_WAITING_PER_USER waiting is RATE_LIMITED, so waiting costs no unbounded
 * memory.
 */
export function createAuthed(accounts: Accounts, takeTurn: TakeTurn) {
  const oneAtATime = createKeyedQueue();
  const waiting = new Map<string, number>();
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
          await takeTurn(userId);
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
