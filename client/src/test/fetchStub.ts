import { vi } from "vitest";

type Route = { method?: string; path: string; status?: number; body?: unknown };

/** Replaces fetch with canned answers by method and path; unknown requests fail the test loudly. */
export function stubFetch(routes: Route[]) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://localhost");
    const method = init?.method ?? "GET";
    const route = routes.find((r) => (r.method ?? "GET") === method && r.path === url.pathname + url.search);
    if (!route) throw new Error(`Unexpected request ${method} ${url.pathname}${url.search}`);
    const status = route.status ?? 200;
    return new Response(status === 204 ? null : JSON.stringify(route.body ?? {}), {
      status,
      headers: { "Content-Type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}
