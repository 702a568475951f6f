import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INDEX_HTML, connectClient, http, registerUser, sendMessage, startServer } from "./helpers";
import type { TestServer } from "./helpers";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

async function metricValue(name: string): Promise<number> {
  const text = (await http<string>(server, "GET", "/metrics")).body;
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} missing from /metrics`);
  return Number(line.split(" ")[1]);
}

describe("/healthz", () => {
  it("answers 200 when the database answers", async () => {
    const res = await http(server, "GET", "/healthz");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok", database: "ok" });
  });

  it("answers 503 when the database does not", async () => {
    const broken = await startServer();
    await broken.store.close();
    const res = await http(broken, "GET", "/healthz");
    expect(res.status).toBe(503);
    await broken.app.close();
    // close() would close the store again: its data directory goes by hand.
    await rm(broken.dataDir, { recursive: true, force: true });
  });
});

describe("/metrics", () => {
  it("exposes default metrics and the parley_ metrics", async () => {
    const res = await http<string>(server, "GET", "/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    for (const name of [
      "process_cpu_user_seconds_total",
      "parley_sockets_connected",
      "parley_messages_sent_total",
      "# TYPE parley_ack_latency_seconds histogram",
    ]) {
      expect(res.body).toContain(name);
    }
  });

  it("counts connected sockets exactly, down again on disconnect", async () => {
    const user = await registerUser(server);
    const before = await metricValue("parley_sockets_connected");
    const sockets = await Promise.all([connectClient(server, user.token), connectClient(server, user.token)]);
    expect(await metricValue("parley_sockets_connected")).toBe(before + 2);

    const sent = await metricValue("parley_messages_sent_total");
    await sendMessage(sockets[0], user.user.id, "counted");
    expect(await metricValue("parley_messages_sent_total")).toBe(sent + 1);
    expect(await metricValue('parley_ack_latency_seconds_count{event="message:send"}')).toBeGreaterThanOrEqual(1);

    const gone = sockets.map((s) => new Promise((resolve) => s.once("disconnect", resolve)));
    for (const s of sockets) s.disconnect();
    await Promise.all(gone);
    await expect.poll(() => metricValue("parley_sockets_connected")).toBe(before);
  });

  it("times HTTP requests under their route template, never their path", async () => {
    const [alice, bob] = [await registerUser(server), await registerUser(server)];
    const requests = (labels: Record<string, string>) =>
      metricValue(
        `parley_http_request_duration_seconds_count{${Object.entries(labels)
          .map(([name, value]) => `${name}="${value}"`)
          .join(",")}}`,
      ).catch(() => 0);
    const history = { method: "GET", route: "/api/conversations/:peerId/messages" };
    const unmatched = { method: "GET", route: "unmatched", status: "4xx" };
    const before = {
      ok: await requests({ ...history, status: "2xx" }),
      // A refused request leaves the router before it is answered; it keeps its route.
      refused: await requests({ ...history, status: "4xx" }),
      unmatched: await requests(unmatched),
    };

    expect(
      (await http(server, "GET", `/api/conversations/${bob.user.id}/messages`, { token: alice.token })).status,
    ).toBe(200);
    expect(
      (await http(server, "GET", `/api/conversations/nobody-${bob.user.id}/messages`, { token: alice.token })).status,
    ).toBe(404);
    expect((await http(server, "GET", `/api/probe-${bob.user.id}/x`)).status).toBe(404);

    expect(await requests({ ...history, status: "2xx" })).toBe(before.ok + 1);
    expect(await requests({ ...history, status: "4xx" })).toBe(before.refused + 1);
    expect(await requests(unmatched)).toBe(before.unmatched + 1);
    const text = (await http<string>(server, "GET", "/metrics")).body;
    expect(text).not.toContain(bob.user.id);
    // Buckets fine enough to tell a 0.5 ms answer from a 2 ms one.
    for (const le of ["0.0005", "0.001", "0.0015", "0.002"])
      expect(text).toContain(`parley_http_request_duration_seconds_bucket{le="${le}",`);
  });
});

describe("client and unknown paths", () => {
  it.each(["/", "/chat/some-user", "/login", "/deep/link?x=1"])("serves index.html for %s", async (path) => {
    const res = await http<string>(server, "GET", path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.body).toBe(INDEX_HTML);
  });

  it.each(["/api/nope", "/api/users/x/y/z"])("answers 404 NOT_FOUND JSON for the unknown API path %s", async (path) => {
    const res = await http(server, "GET", path);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String) } });
  });

  it("sends security headers with a CSP that lets the page connect to its own origin only", async () => {
    const res = await http(server, "GET", "/chat/x");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp.split(";").map((d) => d.trim())).toContain("connect-src 'self'");
    expect((await http(server, "GET", "/api/nope")).headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers 503 with a hint when the client is not built", async () => {
    const bare = await startServer();
    await rm(bare.config.clientDist, { recursive: true });
    const res = await http<string>(bare, "GET", "/chat/x");
    expect(res.status).toBe(503);
    expect(res.body).toContain("npm run build");
    await bare.close();
  });
});

describe("CORS_ORIGIN", () => {
  it("lets the listed origin call the API and nobody else", async () => {
    const cors = await startServer({ CORS_ORIGIN: "http://app.test" });
    const preflight = await fetch(`${cors.url}/api/me`, { method: "OPTIONS", headers: { origin: "http://app.test" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://app.test");
    const other = await fetch(`${cors.url}/api/me`, { headers: { origin: "http://evil.test" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    await cors.close();
  });
});
