import express, { Router } from "express";
import { LIMITS } from "../../../shared/protocol";
import type { Accounts } from "../auth/accounts";
import type { Conversations } from "../chat/conversations";
import type { Groups } from "../chat/groups";
import type { UserDirectory } from "../chat/users";
import type { TakeTurn } from "../lib/turns";
import { authRoutes } from "./auth.routes";
import { createAuthed } from "./authed";
import { conversationRoutes } from "./conversations.routes";
import { groupRoutes } from "./groups.routes";
import { userRoutes } from "./users.routes";
import { notFound } from "./errors";
import { rememberRouteBase } from "./request-timing";

/** Everything under /api. */
export function apiRouter(deps: {
  accounts: Accounts;
  users: UserDirectory;
  conversations: Conversations;
  groups: Groups;
  /** The turns a user's requests and socket events share. */
  takeTurn: TakeTurn;
}): Router {
  const authed = createAuthed(deps.accounts, deps.takeTurn);
  const router = Router();
  router.use(rememberRouteBase);
  router.use(express.json({ limit: LIMITS.payloadMaxBytes }));
  router.use(authRoutes({ accounts: deps.accounts, authed }));
  router.use(userRoutes({ users: deps.users, authed }));
  router.use(conversationRoutes({ conversations: deps.conversations, authed }));
  router.use(groupRoutes({ groups: deps.groups, authed }));
  router.use(notFound);
  return router;
}
