import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { startServer } from "./helpers";
import type { TestServer } from "./helpers";

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe("the database under test", () => {
  it("is PostgreSQL in the integration-pg project and SQLite otherwise", async () => {
    const postgresUrl = inject("postgresUrl");
    if (!postgresUrl) {
      expect(server.config.databaseUrl).toBeUndefined();
      return;
    }
    expect(server.config.databaseUrl).toMatch(/^postgres:\/\/.+\/parley_[0-9a-f]{32}$/);
    // The test server's own database holds what the app wrote through the API.
    await server.store.createUser({
      id: "dialect-probe",
      username: "dialect-probe",
      displayName: "Probe",
      passwordHash: "x",
      createdAt: new Date().toISOString(),
      lastSeenAt: null,
    });
    const client = new pg.Client(server.config.databaseUrl);
    await client.connect();
    try {
      const { rows } = await client.query<{ username: string }>("select username from users where id = $1", [
        "dialect-probe",
      ]);
      expect(rows).toEqual([{ username: "dialect-probe" }]);
    } finally {
      await client.end();
    }
  });
});
