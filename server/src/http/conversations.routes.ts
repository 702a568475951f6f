import { Router } from "express";
import type { Conversations } from "../chat/conversations";
import type { Authed } from "./authed";

export function conversationRoutes(deps: { conversations: Conversations; authed: Authed }): Router {
  const { conversations, authed } = deps;
  const router = Router();

  router.get(
    "/conversations",
    authed(async (_req, res, { user }) => {
      res.json({ conversations: await conversations.list(user.id) });
    }),
  );

  router.get(
    "/conversations/:peerId/messages",
    authed(async (req, res, { user }) => {
      res.type("json").send(await conversations.historyJson(user.id, String(req.params.peerId), req.query));
    }),
  );

  router.get(
    "/conversations/:peerId/changes",
    authed(async (req, res, { user }) => {
      res.json(await conversations.changes(user.id, String(req.params.peerId), req.query));
    }),
  );
  return router;
}
