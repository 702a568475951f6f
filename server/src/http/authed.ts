import type { Request, RequestHandler, Response } from "express";
import type { Accounts, Session } from "../auth/accounts";
import { AppError } from "../errors";

export type AuthedHandler = (req: Request, res: Response, session: Session) => Promise<void>;

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  return match?.[1];
}

/** Wraps a handler that needs a signed-in caller; everyone else gets 401 UNAUTHORIZED. */
export function createAuthed(accounts: Accounts) {
  return (handler: AuthedHandler): RequestHandler =>
    async (req, res) => {
      const session = await accounts.authenticate(bearerToken(req.get("authorization")));
      if (!session) throw new AppError("UNAUTHORIZED", "sign in first");
      await handler(req, res, session);
    };
}

export type Authed = ReturnType<typeof createAuthed>;
