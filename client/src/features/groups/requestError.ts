import type { ApiFailure } from "../../api/http";
import { formatWait } from "../../lib/format";

/** A refused group request as the user reads it: the server's reason, and over the rate limit, the wait. */
export function describeGroupFailure(error: ApiFailure): string {
  if (error.code === "RATE_LIMITED")
    return `Too many requests: try again in ${formatWait(error.retryAfterMs ?? 1000)}.`;
  return error.message;
}
