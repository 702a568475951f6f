import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthResponse, User } from "../../shared/protocol";
import { connectClient, http, registerUser, startServer } from "./helpers";
import type { TestServer } from "./helpers";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ LOGIN_MAX_FAILURES: "3" });
});
afterAll(() => server.close());

describe("register", () => {
  it("creates a user and returns a working token", async () => {
    const res = await http<AuthResponse>(server, "POST", "/api/auth/register", {
      body: { username: "  Alice.Smith ", password: "password-123", displayName: " Alice " },
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      username: "alice.smith",
      displayName: "Alice",
      online: false,
      lastSeenAt: null,
    });
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const me = await http<{ user: User }>(server, "GET", "/api/me", { token: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(res.body.user.id);
  });

  it("defaults the display name to the username", async () => {
    const res = await http<AuthResponse>(server, "POST", "/api/auth/register", {
      body: { username: "bob", password: "password-123" },
    });
    expect(res.body.user.displayName).toBe("bob");
  });

  it("answers 409 USERNAME_TAKEN for a taken username, whatever its case", async () => {
    await http(server, "POST", "/api/auth/register", { body: { username: "carol", password: "password-123" } });
    const res = await http(server, "POST", "/api/auth/register", {
      body: { username: "CAROL", password: "password-456" },
    });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: { code: "USERNAME_TAKEN", message: expect.any(String) } });
  });

  it.each([
    ["a short password", { username: "dave", password: "short" }],
    ["a bad username", { username: "no spaces", password: "password-123" }],
    [
      "a control character in the display name",
      { username: "erin", password: "password-123", displayName: "a\u0007b" },
    ],
    ["no body", undefined],
  ])("answers 400 VALIDATION for %s", async (_case, body) => {
    const res = await http<{ error: { code: string } }>(server, "POST", "/api/auth/register", { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION");
  });
});

describe("login", () => {
  it("returns a new token for the right password and 401 otherwise", async () => {
    const user = await registerUser(server);
    const ok = await http<AuthResponse>(server, "POST", "/api/auth/login", {
      body: { username: user.user.username, password: user.password },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(user.user.id);
    expect(ok.body.token).not.toBe(user.token);

    const wrong = await http(server, "POST", "/api/auth/login", {
      body: { username: user.user.username, password: "wrong-password" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: { code: "INVALID_CREDENTIALS", message: expect.any(String) } });
  });

  it("limits failures per username and IP (unknown names too), with Retry-After, and a success resets the count", async () => {
    const user = await registerUser(server);
    const login = (password: string, username = user.user.username) =>
      http<{ error: { code: string; retryAfterMs?: number } }>(server, "POST", "/api/auth/login", {
        body: { username, password },
      });

    // Two failures, then a success resets the count.
    expect((await login("bad-1")).status).toBe(401);
    expect((await login("bad-2")).status).toBe(401);
    expect((await login(user.password)).status).toBe(200);

    for (let i = 0; i < 3; i++) expect((await login(`bad-${i}`)).status).toBe(401);
    const limited = await login(user.password);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("RATE_LIMITED");
    expect(limited.body.error.retryAfterMs).toBeGreaterThan(14 * 60 * 1000);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(14 * 60);

    for (let i = 0; i < 3; i++) expect((await login("whatever", "nobody-here")).status).toBe(401);
    expect((await login("whatever", "nobody-here")).status).toBe(429);
  });
});

describe("bearer tokens", () => {
  it.each([
    ["no token", undefined],
    ["an unknown token", "not-a-real-token"],
  ])("answers 401 UNAUTHORIZED with %s", async (_case, token) => {
    const res = await http(server, "GET", "/api/me", { token });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: "UNAUTHORIZED", message: expect.any(String) } });
  });
});

describe("logout", () => {
  it("revokes the token for HTTP and disconnects its sockets, leaving other sessions alone", async () => {
    const user = await registerUser(server);
    const other = await http<AuthResponse>(server, "POST", "/api/auth/login", {
      body: { username: user.user.username, password: user.password },
    });
    const revoked = await connectClient(server, user.token);
    const kept = await connectClient(server, other.body.token);
    const disconnected = new Promise((resolve) => revoked.once("disconnect", resolve));

    const res = await http(server, "POST", "/api/auth/logout", { token: user.token });
    expect(res.status).toBe(204);
    await disconnected;
    expect(revoked.connected).toBe(false);
    expect(kept.connected).toBe(true);

    expect((await http(server, "GET", "/api/me", { token: user.token })).status).toBe(401);
    expect((await http(server, "GET", "/api/me", { token: other.body.token })).status).toBe(200);
    await expect(connectClient(server, user.token)).rejects.toThrow("UNAUTHORIZED");
  });
});

describe("socket handshake", () => {
  it.each([
    ["a missing token", undefined],
    ["a bogus token", "bogus"],
  ])("rejects %s with connect_error UNAUTHORIZED", async (_case, token) => {
    const error = await connectClient(server, token).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe("UNAUTHORIZED");
  });
});
