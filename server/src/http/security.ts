import type { Request, RequestHandler, Response } from "express";
import helmet from "helmet";
import type { HelmetOptions } from "helmet";

/**
 * Security headers; the CSP fits the Vite-built SPA whose socket connects to
 * the same origin. 'self' covers that origin's ws:/wss: too (CSP Level 3), so
 * an injected script cannot send data anywhere else.
 */
export const helmetOptions: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      connectSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      fontSrc: ["'self'", "data:"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
};

/**
 * helmet's headers as one block, taken from helmet once: none of them
 * depends on the request, and setting the block costs less than helmet's
 * chain of a dozen middlewares on every request.
 */
export function securityHeaders(): RequestHandler {
  const set = new Map<string, string>();
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: string) => set.set(name, value),
    removeHeader: (name: string) => removed.push(name),
  };
  let finished = false;
  helmet(helmetOptions)({} as Request, recorder as unknown as Response, (error?: unknown) => {
    if (error) throw error;
    finished = true;
  });
  if (!finished) throw new Error("helmet set its headers asynchronously");
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    res.setHeaders(set);
    next();
  };
}

/** CORS for the API when CORS_ORIGIN lists other origins (the socket has its own option). */
export function corsForOrigins(origins: string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.get("origin");
    if (origin && origins.includes(origin)) {
      res.set({
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Headers": "Authorization, Content-Type",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        Vary: "Origin",
      });
      if (req.method === "OPTIONS") {
        res.status(204).end();
        return;
      }
    }
    next();
  };
}
