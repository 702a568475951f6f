import { errorResponseSchema, type ErrorCode } from "../../../shared/protocol";

/** Server error codes plus the failures that never reach the server. */
export type HttpErrorCode = ErrorCode | "NETWORK" | "BAD_RESPONSE";

export class HttpError extends Error {
  override readonly name = "HttpError";

  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export type HttpClient = {
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
};

type HttpClientOptions = {
  token: string | null;
  /** Called when a request that carried a token is answered 401: the session is gone. */
  onUnauthorized: () => void;
};

export function createHttpClient({ token, onUnauthorized }: HttpClientOptions): HttpClient {
  async function request<T>(method: "GET" | "POST", path: string, body: unknown, signal?: AbortSignal): Promise<T> {
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
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new HttpError(0, "NETWORK", "Cannot reach the server. Check your connection and try again.");
    }

    if (response.ok) {
      if (response.status === 204) return undefined as T;
      return (await response.json()) as T;
    }

    const error = await readError(response);
    // A wrong current password (password change) is a 401 too, but the session itself is fine.
    if (response.status === 401 && token && error.code !== "INVALID_CREDENTIALS") onUnauthorized();
    throw error;
  }

  return {
    get: (path, signal) => request("GET", path, undefined, signal),
    post: (path, body) => request("POST", path, body),
  };
}

async function readError(response: Response): Promise<HttpError> {
  const parsed = errorResponseSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) {
    return new HttpError(
      response.status,
      "BAD_RESPONSE",
      `The server answered ${response.status} ${response.statusText}.`.trim(),
    );
  }
  const { code, message, retryAfterMs } = parsed.data.error;
  return new HttpError(response.status, code, message, retryAfterMs);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : "Something went wrong.";
}
