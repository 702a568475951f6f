import { Router } from "express";
import type { Accounts } from "../auth/accounts";
import type { Authed } from "./authed";

export function authRoutes(deps: { accounts: Accounts; authed: Authed }): Router {
  const { accounts, authed } = deps;
  const router = Router();

  router.post("/auth/register", async (req, res) => {
    res.status(201).json(await accounts.register(req.body));
  });

  router.post("/auth/login", async (req, res) => {
    res.json(await accounts.login(req.body));
  });

  router.post(
    "/auth/logout",
    authed(async (_req, res, session) => {
      await accounts.logout(session);
      res.status(204).end();
    }),
  );

  return router;
}
