import { ERROR_CODES, type ErrorCode, type ErrorResponse } from "../../../shared/protocol";

/** Server error codes plus the failures that never reach the server. */
export type HttpErrorCode = ErrorCode | "NETWORK" | "BAD_RESPONSE";

/** A failed request as plain data, so the store can hold it (status 0: the server was not reached). */
export type ApiFailure = { status: number; code: HttpErrorCode; message: string; retryAfterMs?: number };

export type HttpRequest = { path: string; method?: "GET" | "POST" | "PUT"; body?: unknown };

/** A request's answer as plain data: the store can hold it, and a caller never has to catch. */
export type HttpResult<T = unknown> = { data: T } | { error: ApiFailure };

/** The answer's data, or its failure thrown: for callers that handle failures in a `catch`. */
export function unwrap<T>(result: HttpResult<T>): T {
  if ("error" in result) throw result.error;
  return result.data;
}

/** One JSON request to the server; never throws, so the caller decides what a failure means. */
export async function sendRequest(
  { path, method = "GET", body }: HttpRequest,
  token: string | null,
  signal?: AbortSignal,
): Promise<HttpResult> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch {
    return {
      error: { status: 0, code: "NETWORK", message: "Cannot reach the server. Check your connection and try again." },
    };
  }

  if (!response.ok) return { error: await readError(response) };
  if (response.status === 204) return { data: undefined };
  try {
    return { data: await response.json() };
  } catch {
    return {
      error: { status: response.status, code: "BAD_RESPONSE", message: "The server's answer could not be read." },
    };
  }
}

async function readError(response: Response): Promise<ApiFailure> {
  const body: unknown = await response.json().catch(() => null);
  if (!isErrorResponse(body)) {
    return {
      status: response.status,
      code: "BAD_RESPONSE",
      message: `The server answered ${response.status} ${response.statusText}.`.trim(),
    };
  }
  const { code, message, retryAfterMs } = body.error;
  return retryAfterMs === undefined
    ? { status: response.status, code, message }
    : { status: response.status, code, message, retryAfterMs };
}

/** The shape every error response of the server has (checked by hand: the client ships no schema library). */
function isErrorResponse(body: unknown): body is ErrorResponse {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const { error } = body;
  if (typeof error !== "object" || error === null) return false;
  return (
    "code" in error &&
    ERROR_CODES.some((code) => code === error.code) &&
    "message" in error &&
    typeof error.message === "string" &&
    (!("retryAfterMs" in error) || error.retryAfterMs === undefined || typeof error.retryAfterMs === "number")
  );
}

export function isApiFailure(error: unknown): error is ApiFailure {
  return typeof error === "object" && error !== null && "code" in error && "status" in error && "message" in error;
}

/** What to tell the user about a failed request (an ApiFailure, or anything a promise rejected with). */
export function errorMessage(error: unknown): string {
  if (isApiFailure(error) || error instanceof Error) return error.message;
  return "Something went wrong.";
}
