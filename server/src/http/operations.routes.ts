import { Router } from "express";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { Store } from "../store";

export function operationsRoutes(deps: { store: Store; metrics: Metrics; logger: Logger }): Router {
  const { store, metrics, logger } = deps;
  const router = Router();

  // Healthy only when the database answers, so a load balancer stops sending traffic otherwise.
  router.get("/healthz", async (_req, res) => {
    try {
      await store.ping();
      res.json({ status: "ok" });
    } catch (err) {
      logger.warn({ err }, "health check failed");
      res.status(503).json({ status: "unavailable" });
    }
  });

  router.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return router;
}
