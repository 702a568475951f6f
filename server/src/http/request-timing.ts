import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { Request, RequestHandler, Response } from "express";
import type { Metrics } from "../metrics";

/** The route label of a request no route answered (a static file, a 404): one value whatever the path. */
const NO_ROUTE = "unmatched";

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
 * Times each request from its arrival (Node's "request" event, before
 * Socket.IO's listener and Express see it) until its response is handed to
 * the kernel; one whose client left before its answer is not counted. The
 * server's listener is prepended, so it runs first whatever attached before.
 */
export function timeRequests(server: HttpServer, duration: Metrics["httpRequestDuration"]): RequestHandler {
  const arrivals = new WeakMap<IncomingMessage, bigint>();
  server.prependListener("request", (req: IncomingMessage) => arrivals.set(req, process.hrtime.bigint()));
  return (req, res, next) => {
    const arrived = arrivals.get(req)!;
    res.once("finish", () => {
      const seconds = Number(process.hrtime.bigint() - arrived) / 1e9;
      // Node's parser accepts only known methods, so the method is a bounded label as it is.
      duration.observe(
        { method: req.method, route: routeLabel(req, res), status: `${Math.floor(res.statusCode / 100)}xx` },
        seconds,
      );
    });
    next();
  };
}
