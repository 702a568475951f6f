import { Router } from "express";
import type { Request } from "express";
import type { Accounts } from "../auth/accounts";
import { clientIpKey } from "../auth/client-ip";
import type { Authed } from "./authed";

/** The client's address as the limits count it (behind a trusted proxy, the address it forwarded). */
const clientIp = (req: Request) => clientIpKey(req.ip);

export function authRoutes(deps: { accounts: Accounts; authed: Authed }): Router {
  const { accounts, authed } = deps;
  const router = Router();

  router.post("/auth/register", async (req, res) => {
    res.status(201).json(await accounts.register(req.body, clientIp(req)));
  });

  router.post("/auth/login", async (req, res) => {
    res.json(await accounts.login(req.body, clientIp(req)));
  });

  router.post(
    "/auth/logout",
    authed(async (_req, res, session) => {
      await accounts.logout(session);
      res.status(204).end();
    }),
  );

  router.post(
    "/auth/logout-all",
    authed(async (_req, res, session) => {
      await accounts.logoutAll(session);
      res.status(204).end();
    }),
  );

  router.post(
    "/auth/password",
    authed(async (req, res, session) => {
      await accounts.changePassword(session, req.body, clientIp(req));
      res.status(204).end();
    }),
  );

  return router;
}
