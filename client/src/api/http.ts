import { errorResponseSchema, type ErrorCode } from "../../../shared/protocol";

/** Server error codes plus the failures that never reach the server. */
export type HttpErrorCode = ErrorCode | "NETWORK" | "BAD_RESPONSE";

/** A failed request as plain data, so the store can hold it (status 0: the server was not reached). */
export type ApiFailure = { status: number; code: HttpErrorCode; message: string; retryAfterMs?: number };

export type HttpRequest = { path: string; method?: "GET" | "POST"; body?: unknown };

export type HttpResult = { data: unknown } | { error: ApiFailure };

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

  if (response.ok) return { data: response.status === 204 ? undefined : await response.json() };
  return { error: await readError(response) };
}

async function readError(response: Response): Promise<ApiFailure> {
  const parsed = errorResponseSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) {
    return {
      status: response.status,
      code: "BAD_RESPONSE",
      message: `The server answered ${response.status} ${response.statusText}.`.trim(),
    };
  }
  const { code, message, retryAfterMs } = parsed.data.error;
  return retryAfterMs === undefined
    ? { status: response.status, code, message }
    : { status: response.status, code, message, retryAfterMs };
}

export function isApiFailure(error: unknown): error is ApiFailure {
  return typeof error === "object" && error !== null && "code" in error && "status" in error && "message" in error;
}

/** What to tell the user about a failed request (an ApiFailure, or anything a promise rejected with). */
export function errorMessage(error: unknown): string {
  if (isApiFailure(error) || error instanceof Error) return error.message;
  return "Something went wrong.";
}
