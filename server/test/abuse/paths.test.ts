import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INDEX_HTML, startServer } from "../helpers";
import type { TestServer } from "../helpers";

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** GET with the path sent exactly as written: fetch would normalise `..` away before it left. */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("path traversal", () => {
  it("never serves a file outside the built client", async () => {
    // The test server's data directory holds the SQLite file beside the client's dist/ folder.
    const attempts = [
      "/../parley.db",
      "/assets/../../parley.db",
      "/%2e%2e/parley.db",
      "/assets/%2e%2e/%2e%2e/parley.db",
      "/..%2fparley.db",
      "/assets/..%2f..%2fparley.db",
      "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
      "/assets/..%5c..%5cparley.db",
    ];
    for (const path of attempts) {
      const res = await rawGet(path);
      expect(res.status, path).toBeLessThan(500);
      expect(res.body, path).not.toContain("SQLite format");
      expect(res.body, path).not.toContain("root:");
      // Anything answered with 200 is the client's own index.html (the SPA fallback).
      if (res.status === 200) expect(res.body, path).toBe(INDEX_HTML);
    }
  });
});
