import type { ApiError, ErrorCode } from "../../shared/protocol";
import type { Logger } from "./logger";

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VALIDATION: 400,
  RATE_LIMITED: 429,
  USERNAME_TAKEN: 409,
  INVALID_CREDENTIALS: 401,
  INTERNAL: 500,
  TOO_MANY_CONNECTIONS: 429,
  LIMIT_REACHED: 409,
};

/** An expected failure: its code and message go to the client as they are. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number = STATUS_BY_CODE[code],
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found`);

/**
 * The one path from a thrown value to the wire error (HTTP body and socket ack).
 * Unexpected errors are logged and hidden behind INTERNAL.
 */
export function toAppError(error: unknown, logger: Logger): AppError {
  if (error instanceof AppError) return error;
  logger.error({ err: error }, "unexpected error");
  return new AppError("INTERNAL", "internal error");
}

export function toApiError(error: AppError): ApiError {
  return error.retryAfterMs === undefined
    ? { code: error.code, message: error.message }
    : { code: error.code, message: error.message, retryAfterMs: error.retryAfterMs };
}
