import { Router } from "express";
import type { Conversations } from "../chat/conversations";
import type { Authed } from "./authed";

export function conversationRoutes(deps: { conversations: Conversations; authed: Authed }): Router {
  const { conversations, authed } = deps;
  const router = Router();

  router.get(
    "/conversations",
    authed(async (req, res, { user }) => {
      res.json(await conversations.list(user.id, req.query));
    }),
  );

  // `:peerId` takes a conversation id too (v2 §0); the name stays, as the route is a metric label.
  router.get(
    "/conversations/:peerId/messages",
    authed(async (req, res, { user }) => {
      // The store's text as it is, not res.send's copy into a Buffer and SHA-1 ETag of it (together
      // 0.05–0.1 ms a page; a page is read once per cursor, so a conditional GET would not save it).
      res.type("json").end(await conversations.historyJson(user.id, String(req.params.peerId), req.query));
    }),
  );

  router.get(
    "/conversations/:peerId/changes",
    authed(async (req, res, { user }) => {
      res.json(await conversations.changes(user.id, String(req.params.peerId), req.query));
    }),
  );

  router.put(
    "/conversations/:peerId/settings",
    authed(async (req, res, { user }) => {
      res.json(await conversations.updateSettings(user.id, String(req.params.peerId), req.body));
    }),
  );
  return router;
}
