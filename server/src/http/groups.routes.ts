import { Router } from "express";
import type { Groups } from "../chat/groups";
import type { Authed } from "./authed";

/** PROTOCOL-v2 §2. */
export function groupRoutes(deps: { groups: Groups; authed: Authed }): Router {
  const { groups, authed } = deps;
  const router = Router();

  router.post(
    "/groups",
    authed(async (req, res, { user }) => {
      const { created, response } = await groups.create(user.id, req.body);
      res.status(created ? 201 : 200).json(response);
    }),
  );

  router.get(
    "/groups/:groupId",
    authed(async (req, res, { user }) => {
      res.json(await groups.get(user.id, String(req.params.groupId)));
    }),
  );

  router.patch(
    "/groups/:groupId",
    authed(async (req, res, { user }) => {
      res.json(await groups.rename(user.id, String(req.params.groupId), req.body));
    }),
  );

  router.post(
    "/groups/:groupId/members",
    authed(async (req, res, { user }) => {
      res.json(await groups.addMembers(user.id, String(req.params.groupId), req.body));
    }),
  );

  router.put(
    "/groups/:groupId/members/:userId",
    authed(async (req, res, { user }) => {
      res.json(await groups.setRole(user.id, String(req.params.groupId), String(req.params.userId), req.body));
    }),
  );

  router.delete(
    "/groups/:groupId/members/:userId",
    authed(async (req, res, { user }) => {
      await groups.removeMember(user.id, String(req.params.groupId), String(req.params.userId));
      res.status(204).end();
    }),
  );

  router.post(
    "/groups/:groupId/leave",
    authed(async (req, res, { user }) => {
      await groups.leave(user.id, String(req.params.groupId));
      res.status(204).end();
    }),
  );
  return router;
}
