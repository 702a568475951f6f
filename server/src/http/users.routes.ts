import { Router } from "express";
import { LIMITS } from "../../../shared/protocol";
import { usersQuerySchema } from "../../../shared/schemas";
import type { UserDirectory } from "../chat/users";
import { parseInput } from "../validation";
import type { Authed } from "./authed";

export function userRoutes(deps: { users: UserDirectory; authed: Authed }): Router {
  const { users, authed } = deps;
  const router = Router();

  router.get(
    "/me",
    authed(async (_req, res, { user }) => {
      res.json({ user: await users.present(user) });
    }),
  );

  router.get(
    "/users",
    authed(async (req, res, { user }) => {
      const { q = "" } = parseInput(usersQuerySchema, req.query);
      res.json({ users: await users.search(q.trim(), user.id, LIMITS.usersSearchMax) });
    }),
  );

  router.get(
    "/users/:id",
    authed(async (req, res) => {
      res.json({ user: await users.present(await users.require(String(req.params.id))) });
    }),
  );

  return router;
}
