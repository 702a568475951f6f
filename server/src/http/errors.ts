import type { ErrorRequestHandler, RequestHandler } from "express";
import { AppError, toApiError, toAppError } from "../errors";
import type { Logger } from "../logger";

/** Any request no route answered: 404 NOT_FOUND in the protocol's error shape. */
export const notFound: RequestHandler = (req) => {
  throw new AppError("NOT_FOUND", `no route for ${req.method} ${req.originalUrl.split("?")[0]}`);
};

/** Errors raised by express.json(): too large (413) or malformed (400) bodies. */
function bodyParserError(error: unknown): AppError | undefined {
  if (typeof error !== "object" || error === null || !("type" in error) || !("status" in error)) return undefined;
  if (typeof error.status !== "number") return undefined;
  const message =
    error.type === "entity.too.large" ? "request body must be at most 64 KiB" : "request body must be valid JSON";
  return new AppError("VALIDATION", message, error.status);
}

/** Maps every error to the PROTOCOL body `{ error: { code, message } }` with its status. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const appError = bodyParserError(error) ?? toAppError(error, logger);
    if (appError.retryAfterMs !== undefined) res.set("Retry-After", String(Math.ceil(appError.retryAfterMs / 1000)));
    res.status(appError.status).json({ error: toApiError(appError) });
  };
}
