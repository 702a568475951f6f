import { Router } from "express";
import { AppError } from "../errors";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { RedisServices } from "../redis";
import type { Store } from "../store";
import { mayReadMetrics } from "./metrics-access";

export function operationsRoutes(deps: {
  store: Store;
  redis?: Pick<RedisServices, "ping">;
  metrics: Metrics;
  logger: Logger;
  metricsToken: string | undefined;
}): Router {
  const { store, redis, metrics, logger, metricsToken } = deps;
  const router = Router();

  // Healthy only when the database (and Redis, when configured) answers, so a load balancer
  // stops sending traffic otherwise.
  router.get("/healthz", async (_req, res) => {
    const check = (ping: () => Promise<void>, name: string) =>
      ping().then(
        () => "ok" as const,
        (err: unknown) => {
          logger.warn({ err }, `health check failed: ${name}`);
          return "unavailable" as const;
        },
      );
    const [database, redisStatus] = await Promise.all([
      check(() => store.ping(), "database"),
      redis ? check(() => redis.ping(), "redis") : undefined,
    ]);
    const healthy = database === "ok" && (redisStatus ?? "ok") === "ok";
    res
      .status(healthy ? 200 : 503)
      .json({ status: healthy ? "ok" : "unavailable", database, ...(redisStatus && { redis: redisStatus }) });
  });

  router.get("/metrics", async (req, res) => {
    // 404 rather than 403: the endpoint does not exist for anyone else.
    if (!mayReadMetrics({ remoteAddress: req.socket.remoteAddress, headers: req.headers }, metricsToken))
      throw new AppError("NOT_FOUND", "no route for GET /metrics");
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return router;
}
