import { existsSync } from "node:fs";
import { join } from "node:path";
import express, { Router } from "express";

// Paths the server answers itself; everything else may be a client route like /chat/:userId.
const SERVER_PATHS = /^\/(api|socket\.io|healthz|metrics)(\/|$)/;

/** Serves the built client, and index.html for any other GET so deep links can be reloaded. */
export function clientRoutes(clientDist: string): Router {
  const router = Router();
  const indexHtml = join(clientDist, "index.html");

  // Vite names assets by content hash, so they can be cached for good.
  router.use(
    "/assets",
    express.static(join(clientDist, "assets"), { immutable: true, maxAge: "1y", fallthrough: true }),
  );
  router.use(express.static(clientDist, { index: false }));

  router.get(/.*/, (req, res, next) => {
    if (SERVER_PATHS.test(req.path)) return next();
    if (!existsSync(indexHtml)) {
      res.status(503).type("text/plain").send("The client is not built yet: run `npm run build`, then reload.\n");
      return;
    }
    res.set("Cache-Control", "no-cache").sendFile(indexHtml);
  });

  return router;
}
