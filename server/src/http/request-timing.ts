import type { Request, RequestHandler, Response } from "express";
import type { Metrics } from "../metrics";

/** The route label of a request no route answered (a static file, a 404): one value whatever the path. */
export const NO_ROUTE = "unmatched";

/**
 * A router's mount path, remembered for the route label: an error leaves the
 * router (which then restores req.baseUrl) before its response is written.
 */
export const rememberRouteBase: RequestHandler = (req, res, next) => {
  res.locals.routeBase = req.baseUrl;
  next();
};

/** `/api/conversations/:peerId/messages`, never the path itself, so ids and probes add no series. */
function routeLabel(req: Request, res: Response): string {
  const route = (req as { route?: { path: unknown } }).route;
  if (!route) return NO_ROUTE;
  const base = typeof res.locals.routeBase === "string" ? res.locals.routeBase : "";
  return `${base}${String(route.path)}`;
}

/**
 * Times each request from its first middleware until its response is handed
 * to the kernel; one whose client left before its answer is not counted.
 */
export function timeRequests(duration: Metrics["httpRequestDuration"]): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // Node's parser accepts only known methods, so the method is a bounded label as it is.
      duration.observe(
        { method: req.method, route: routeLabel(req, res), status: `${Math.floor(res.statusCode / 100)}xx` },
        seconds,
      );
    });
    next();
  };
}
