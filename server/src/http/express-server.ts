import { IncomingMessage, ServerResponse, createServer } from "node:http";
import type { Server as HttpServer } from "node:http";
import type { Express } from "express";

/**
 * An HTTP server for `app` whose requests and responses are born with
 * Express's prototypes. Express otherwise swaps each one's prototype on
 * arrival (Object.setPrototypeOf), and V8 then keeps every request's objects
 * alive through the next young-generation collection: each scavenge copied
 * about 1 MB and took 2–6 ms, at the p99 of a history page
 * (docs/benchmarks.md). Express's swap to the prototype an object already
 * has changes nothing.
 */
export function createExpressServer(app: Express): HttpServer {
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse {}
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as typeof app.request;
  app.response = AppResponse.prototype as typeof app.response;
  return createServer({ IncomingMessage: AppRequest, ServerResponse: AppResponse }, app);
}
