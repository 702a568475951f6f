import type { ErrorRequestHandler, RequestHandler } from "express";
import { AppError, toApiError, toAppError } from "../errors";
import type { Logger } from "../logger";

/** Any request no route answered: 404 NOT_FOUND in the protocol's error shape. */
export const notFound: RequestHandler = (req) => {
  throw new AppError("NOT_FOUND", `no route for ${req.method} ${req.originalUrl.split("?")[0]}`);
};

/** A path that is not valid URL encoding (`/api/users/%`): 400 VALIDATION before any route tries to decode it. */
export const rejectMalformedPath: RequestHandler = (req, _res, next) => {
  try {
    decodeURIComponent(req.path);
  } catch {
    throw new AppError("VALIDATION", "the path is not valid URL encoding");
  }
  next();
};

/**
 * Errors Express and body-parser raise for a bad request (a body too large
 * or not JSON, an undecodable parameter): they carry a 4xx `status`. They
 * are the client's fault, so they are answered as VALIDATION and not logged.
 */
function clientError(error: unknown): AppError | undefined {
  if (typeof error !== "object" || error === null || !("status" in error)) return undefined;
  const { status } = error;
  if (typeof status !== "number" || status < 400 || status > 499) return undefined;
  const type = "type" in error ? error.type : undefined;
  const message =
    type === "entity.too.large"
      ? "request body must be at most 64 KiB"
      : type === "entity.parse.failed"
        ? "request body must be valid JSON"
        : "malformed request";
  return new AppError("VALIDATION", message, status);
}

/** Maps every error to the PROTOCOL body `{ error: { code, message } }` with its status. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const appError = error instanceof AppError ? error : (clientError(error) ?? toAppError(error, logger));
    if (appError.retryAfterMs !== undefined) res.set("Retry-After", String(Math.ceil(appError.retryAfterMs / 1000)));
    res.status(appError.status).json({ error: toApiError(appError) });
  };
}
