import { Router } from "express";
import { AppError } from "../errors";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { Store } from "../store";
import { mayReadMetrics } from "./metrics-access";

export function operationsRoutes(deps: {
  store: Store;
  metrics: Metrics;
  logger: Logger;
  metricsToken: string | undefined;
}): Router {
  const { store, metrics, logger, metricsToken } = deps;
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

  router.get("/metrics", async (req, res) => {
    // 404 rather than 403: the endpoint does not exist for anyone else.
    if (!mayReadMetrics({ remoteAddress: req.socket.remoteAddress, headers: req.headers }, metricsToken))
      throw new AppError("NOT_FOUND", "no route for GET /metrics");
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return router;
}
