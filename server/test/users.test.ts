import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { User } from "../../shared/protocol";
import { http, registerUser, startServer } from "./helpers";
import type { TestServer, TestUser } from "./helpers";

let server: TestServer;
let me: TestUser;

beforeAll(async () => {
  server = await startServer();
  me = await registerUser(server, "Searcher");
  for (const [username, displayName] of [
    ["zoe", "Zoe Quinn"],
    ["zack", "Zachary"],
    ["anna", "Zelda Fan"],
    ["percent", "100%_real"],
  ]) {
    await http(server, "POST", "/api/auth/register", { body: { username, password: "password-123", displayName } });
  }
});
afterAll(() => server.close());

async function search(query: string): Promise<string[]> {
  const res = await http<{ users: User[] }>(server, "GET", `/api/users${query}`, { token: me.token });
  expect(res.status).toBe(200);
  return res.body.users.map((u) => u.username);
}

describe("GET /api/users", () => {
  it("matches a case-insensitive prefix of the username or the display name", async () => {
    expect(await search("?q=Z")).toEqual(["anna", "zack", "zoe"]);
    expect(await search("?q=zo")).toEqual(["zoe"]);
    expect(await search("?q=QUINN")).toEqual([]);
  });

  it("treats LIKE wildcards literally", async () => {
    expect(await search("?q=%25")).toEqual([]);
    expect(await search("?q=100%25_")).toEqual(["percent"]);
  });

  it("excludes the caller and returns at most 50", async () => {
    for (let i = 0; i < 52; i++) await registerUser(server);
    const all = await search("");
    expect(all).toHaveLength(50);
    expect(all).not.toContain(me.user.username);
    expect(await search("?q=searcher")).toEqual([]);
  });
});

describe("GET /api/users/:id and /api/me", () => {
  it("returns the user JSON", async () => {
    const other = await registerUser(server, "Other");
    const res = await http<{ user: User }>(server, "GET", `/api/users/${other.user.id}`, { token: me.token });
    expect(res.body.user).toEqual({
      id: other.user.id,
      username: other.user.username,
      displayName: "Other",
      online: false,
      lastSeenAt: null,
    });
    expect((await http<{ user: User }>(server, "GET", "/api/me", { token: me.token })).body.user.displayName).toBe(
      "Searcher",
    );
  });

  it.each(["unknown", "has%20space", "dm%3Aa%3Ab", "x".repeat(300)])("answers 404 NOT_FOUND for %s", async (id) => {
    const res = await http(server, "GET", `/api/users/${id}`, { token: me.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String) } });
  });
});
