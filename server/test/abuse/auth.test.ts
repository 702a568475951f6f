/**
 * Attacks on accounts, sessions and the HTTP surface, each reproduced
 * against the real server and shown refused.
 */
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AuthResponse, User } from "../../../shared/protocol";
import { createApp } from "../../src/app";
import { hashToken } from "../../src/auth/tokens";
import { loadConfig } from "../../src/config";
import { createStore } from "../../src/store";
import { connectClient, emitAck, registerUser, startServer } from "../helpers";
import type { ClientSocket, TestServer, TestUser } from "../helpers";

type ErrorBody = { error: { code: string; message: string; retryAfterMs?: number } };
type Reply<T> = { status: number; body: T; headers: Headers };

/** One HTTP request; `ip` poses as the client address a proxy forwarded (X-Forwarded-For). */
async function call<T = ErrorBody>(
  server: Pick<TestServer, "url">,
  method: string,
  path: string,
  options: { ip?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.ip) headers["x-forwarded-for"] = options.ip;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] ??= "application/json";
  const res = await fetch(server.url + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  const isJson = res.headers.get("content-type")?.includes("json") ?? false;
  return { status: res.status, body: (isJson && text ? JSON.parse(text) : text) as T, headers: res.headers };
}

const uniqueName = (prefix: string) => `${prefix}_${randomUUID().slice(0, 8)}`;
const PASSWORD = "password-123";

function register(server: TestServer, ip?: string, username = uniqueName("reg")) {
  return call<AuthResponse & ErrorBody>(server, "POST", "/api/auth/register", {
    ip,
    body: { username, password: PASSWORD },
  });
}

function login(server: TestServer, username: string, password: string, ip?: string) {
  return call<AuthResponse & ErrorBody>(server, "POST", "/api/auth/login", { ip, body: { username, password } });
}

/** A 429 as PROTOCOL.md has it: RATE_LIMITED with retryAfterMs in (0, maxMs] and a matching Retry-After header. */
function expectRateLimited(res: Reply<ErrorBody>, maxMs: number) {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe("RATE_LIMITED");
  expect(res.body.error.retryAfterMs).toBeGreaterThan(0);
  expect(res.body.error.retryAfterMs).toBeLessThanOrEqual(maxMs);
  expect(Number(res.headers.get("retry-after"))).toBe(Math.ceil((res.body.error.retryAfterMs ?? 0) / 1000));
}

/** Resolves with the disconnect reason; fails the test when the socket stays connected. */
function disconnected(socket: ClientSocket, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the socket was not disconnected")), timeoutMs);
    socket.once("disconnect", (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** The stored session, expired or not (the store's lookup skips those that expired before `now`). */
function storedSession(server: TestServer, tokenHash: string) {
  return server.store.findSession(tokenHash, new Date(0).toISOString());
}

/** Proves a socket is still connected and served: a round trip through the server. */
async function expectServed(socket: ClientSocket, selfId: string) {
  expect(socket.connected).toBe(true);
  const res = await emitAck(socket, "conversation:join", { peerId: selfId });
  expect(res.ok).toBe(true);
}

let servers: TestServer[] = [];
async function serve(env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startServer(env);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe("registration flood", () => {
  it("refuses accounts past REGISTER_RATE_PER_HOUR from one IP, and only from that IP", async () => {
    const server = await serve({ REGISTER_RATE_PER_HOUR: "5", TRUST_PROXY: "loopback" });
    for (let i = 0; i < 5; i++) expect((await register(server, "203.0.113.7")).status).toBe(201);

    const refusedName = uniqueName("flood");
    const refused = await register(server, "203.0.113.7", refusedName);
    expectRateLimited(refused, 60 * 60 * 1000);
    expect(refused.body.error.retryAfterMs).toBeGreaterThan(59 * 60 * 1000);
    // Nothing was created for the refused attempt.
    expect((await login(server, refusedName, PASSWORD, "198.51.100.1")).status).toBe(401);

    expect((await register(server, "203.0.113.8")).status).toBe(201);
  });

  it("ignores X-Forwarded-For unless TRUST_PROXY names the proxy, so a spoofed header does not escape", async () => {
    const server = await serve({ REGISTER_RATE_PER_HOUR: "3" });
    for (let i = 0; i < 3; i++) expect((await register(server, `203.0.113.${i}`)).status).toBe(201);
    expectRateLimited(await register(server, "203.0.113.99"), 60 * 60 * 1000);
  });

  it("counts IPv6 clients by their /64", async () => {
    const server = await serve({ REGISTER_RATE_PER_HOUR: "2", TRUST_PROXY: "loopback" });
    expect((await register(server, "2001:db8:0:1::1")).status).toBe(201);
    expect((await register(server, "2001:db8:0:1::2")).status).toBe(201);
    expectRateLimited(await register(server, "2001:db8:0:1:ffff::3"), 60 * 60 * 1000);
    expect((await register(server, "2001:db8:0:2::1")).status).toBe(201);
  });
});

describe("login flood from one IP", () => {
  it("allows LOGIN_RATE_PER_MIN attempts a minute per IP whatever the usernames, then 429 even for valid credentials", async () => {
    const server = await serve({ LOGIN_RATE_PER_MIN: "5", TRUST_PROXY: "loopback" });
    const victim = await registerUser(server);
    for (let i = 0; i < 5; i++) {
      expect((await login(server, uniqueName("guess"), "wrong-password", "203.0.113.50")).status).toBe(401);
    }
    expectRateLimited(await login(server, victim.user.username, victim.password, "203.0.113.50"), 60 * 1000);
    // The flood costs the victim nothing from their own address.
    expect((await login(server, victim.user.username, victim.password, "198.51.100.2")).status).toBe(200);
  });
});

describe("targeted lockout", () => {
  let server: TestServer;
  let owner: TestUser;
  beforeAll(async () => {
    server = await startServer({ TRUST_PROXY: "loopback" });
    owner = await registerUser(server);
  });
  afterAll(() => server.close());

  it("a stranger's 10 wrong passwords from one IP lock that IP out, not the owner elsewhere", async () => {
    const username = owner.user.username;
    for (let i = 0; i < 10; i++) {
      const res = await login(server, username, `wrong-${i}`, "203.0.113.66");
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("INVALID_CREDENTIALS");
    }
    // The attacker's IP is locked for this username, even with the right password, for the 15-minute window.
    const locked = await login(server, username, owner.password, "203.0.113.66");
    expectRateLimited(locked, 15 * 60 * 1000);
    expect(locked.body.error.retryAfterMs).toBeGreaterThan(14 * 60 * 1000);

    // The owner signs in from home, and that success does not unlock the attacker.
    const home = await login(server, username, owner.password, "198.51.100.10");
    expect(home.status).toBe(200);
    expect(home.body.user.id).toBe(owner.user.id);
    expect((await login(server, username, "wrong-again", "203.0.113.66")).status).toBe(429);
  });

  it("counts unknown usernames too, per IP", async () => {
    const ghost = uniqueName("ghost");
    for (let i = 0; i < 10; i++) expect((await login(server, ghost, "whatever-1", "203.0.113.67")).status).toBe(401);
    expectRateLimited(await login(server, ghost, "whatever-1", "203.0.113.67"), 15 * 60 * 1000);
  });
});

describe("per-username ceiling", () => {
  it("locks a username for everyone after 10 × LOGIN_MAX_FAILURES failures from all IPs together", async () => {
    const server = await serve({ LOGIN_MAX_FAILURES: "2", TRUST_PROXY: "loopback" });
    const owner = await registerUser(server);
    const bystander = await registerUser(server);
    const username = owner.user.username;

    // 19 failures spread over 10 IPs, none over the per-IP limit of 2.
    for (let i = 0; i < 19; i++) {
      expect((await login(server, username, "wrong-password", `203.0.113.${100 + Math.floor(i / 2)}`)).status).toBe(
        401,
      );
    }
    expect((await login(server, username, owner.password, "198.51.100.20")).status).toBe(200);

    // The 20th failure reaches the ceiling: now nobody signs in as this user, from anywhere.
    expect((await login(server, username, "wrong-password", "203.0.113.200")).status).toBe(401);
    expectRateLimited(await login(server, username, owner.password, "198.51.100.21"), 15 * 60 * 1000);
    expectRateLimited(await login(server, username, owner.password, "198.51.100.20"), 15 * 60 * 1000);

    // Other accounts are untouched.
    expect((await login(server, bystander.user.username, bystander.password, "198.51.100.21")).status).toBe(200);
  });
});

describe("sessions", () => {
  it("disconnects a live socket the moment its session expires, and the token stops working", async () => {
    const server = await serve({ SESSION_TTL_MS: "1500" });
    const user = await registerUser(server);
    const socket = await connectClient(server, user.token);
    await expectServed(socket, user.user.id);

    expect(await disconnected(socket)).toBe("io server disconnect");
    expect((await call(server, "GET", "/api/me", { token: user.token })).status).toBe(401);
    await expect(connectClient(server, user.token)).rejects.toThrow("UNAUTHORIZED");
  });

  it("keeps a socket whose session was renewed meanwhile (by use elsewhere), past the expiry it started with", async () => {
    const server = await serve({ SESSION_TTL_MS: "1500" });
    const kept = await registerUser(server);
    const keptSocket = await connectClient(server, kept.token);
    await server.store.renewSession(hashToken(kept.token), new Date(Date.now() + 60_000).toISOString());
    // A session created later expires later: once its socket is dropped, the first one's deadline has passed.
    const barrier = await registerUser(server);
    const barrierSocket = await connectClient(server, barrier.token);
    expect(await disconnected(barrierSocket)).toBe("io server disconnect");
    await expectServed(keptSocket, kept.user.id);
  });

  it("slides: a session used after aging renews to 30 days from now, by HTTP or by a socket connection", async () => {
    const server = await serve();
    const user = await registerUser(server);
    const tokenHash = hashToken(user.token);
    const DAY = 24 * 60 * 60 * 1000;
    const expiresAt = async () => Date.parse((await storedSession(server, tokenHash))!.expiresAt);
    const age = (ms: number) =>
      server.store.renewSession(tokenHash, new Date(Date.now() + 30 * DAY - ms).toISOString());
    expect(await expiresAt()).toBeGreaterThan(Date.now() + 30 * DAY - 60_000);

    // Aged by 29 days: one request brings it back to 30 days.
    await age(29 * DAY);
    expect((await call(server, "GET", "/api/me", { token: user.token })).status).toBe(200);
    expect(await expiresAt()).toBeGreaterThan(Date.now() + 30 * DAY - 60_000);

    // Aged by ten minutes only: no write.
    await age(10 * 60 * 1000);
    const before = await expiresAt();
    expect((await call(server, "GET", "/api/me", { token: user.token })).status).toBe(200);
    expect(await expiresAt()).toBe(before);

    await age(2 * DAY);
    await connectClient(server, user.token);
    expect(await expiresAt()).toBeGreaterThan(Date.now() + 30 * DAY - 60_000);
  });

  it("purges expired sessions from the database", async () => {
    const server = await serve({ SESSION_TTL_MS: "1000" });
    const user = await registerUser(server);
    const stored = async () => (await storedSession(server, hashToken(user.token))) !== undefined;
    expect(await stored()).toBe(true);
    await expect.poll(stored, { timeout: 5000 }).toBe(false);
  });

  it("logout-all revokes every session of the user and disconnects all their sockets, no one else's", async () => {
    const server = await serve();
    const user = await registerUser(server);
    const other = await registerUser(server);
    const second = await login(server, user.user.username, user.password);
    const sockets = await Promise.all([
      connectClient(server, user.token),
      connectClient(server, user.token),
      connectClient(server, second.body.token),
    ]);
    const bystander = await connectClient(server, other.token);
    const gone = sockets.map((s) => disconnected(s));

    expect((await call(server, "POST", "/api/auth/logout-all", { token: user.token })).status).toBe(204);
    expect(await Promise.all(gone)).toEqual(sockets.map(() => "io server disconnect"));
    for (const token of [user.token, second.body.token]) {
      expect((await call(server, "GET", "/api/me", { token })).status).toBe(401);
      await expect(connectClient(server, token)).rejects.toThrow("UNAUTHORIZED");
    }
    await expectServed(bystander, other.user.id);
    expect((await call(server, "GET", "/api/me", { token: other.token })).status).toBe(200);
    expect((await call(server, "POST", "/api/auth/logout-all")).status).toBe(401);
  });
});

describe("password change", () => {
  it("revokes every other session and its sockets, keeps the caller's, and swaps the password", async () => {
    const server = await serve();
    const user = await registerUser(server);
    const other = await login(server, user.user.username, user.password);
    const mine = await connectClient(server, user.token);
    const theirs = await connectClient(server, other.body.token);
    const gone = disconnected(theirs);

    const res = await call(server, "POST", "/api/auth/password", {
      token: user.token,
      body: { currentPassword: user.password, newPassword: "new-password-456" },
    });
    expect(res.status).toBe(204);
    expect(await gone).toBe("io server disconnect");
    expect((await call(server, "GET", "/api/me", { token: other.body.token })).status).toBe(401);

    await expectServed(mine, user.user.id);
    expect((await call<{ user: User }>(server, "GET", "/api/me", { token: user.token })).status).toBe(200);
    expect((await login(server, user.user.username, user.password)).status).toBe(401);
    expect((await login(server, user.user.username, "new-password-456")).status).toBe(200);
  });

  it("answers a wrong current password with 401 INVALID_CREDENTIALS, counted as a failed login", async () => {
    const server = await serve({ LOGIN_MAX_FAILURES: "3" });
    const user = await registerUser(server);
    const other = await login(server, user.user.username, user.password);
    const change = (currentPassword: string) =>
      call(server, "POST", "/api/auth/password", {
        token: user.token,
        body: { currentPassword, newPassword: "new-password-456" },
      });

    for (let i = 0; i < 3; i++) {
      const res = await change(`wrong-${i}`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: "INVALID_CREDENTIALS", message: expect.any(String) } });
    }
    // Three failures lock this IP out for the username: sign-in and password change alike.
    expectRateLimited(await login(server, user.user.username, user.password), 15 * 60 * 1000);
    expectRateLimited(await change(user.password), 15 * 60 * 1000);
    // Nothing was changed or revoked: the session that asked still works, and so does the other one.
    expect((await call(server, "GET", "/api/me", { token: user.token })).status).toBe(200);
    expect((await call(server, "GET", "/api/me", { token: other.body.token })).status).toBe(200);
  });

  it.each([
    ["a short new password", { currentPassword: PASSWORD, newPassword: "short" }],
    ["a lone surrogate in the new password", { currentPassword: PASSWORD, newPassword: "password-\uD800-x" }],
    ["no current password", { newPassword: "new-password-456" }],
    ["no body", undefined],
  ])("answers 400 VALIDATION for %s", async (_case, body) => {
    const server = await serve();
    const user = await registerUser(server);
    const res = await call(server, "POST", "/api/auth/password", { token: user.token, body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION");
    expect((await login(server, user.user.username, user.password)).status).toBe(200);
  });
});

describe("malformed requests", () => {
  // A server whose log is kept, to show no bad request is logged as an error.
  let server: Pick<TestServer, "url">;
  let user: TestUser;
  const logLines: { level: number; msg?: string }[] = [];
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "parley-test-"));
    await mkdir(join(dataDir, "dist"));
    await writeFile(join(dataDir, "dist", "index.html"), "<!doctype html>");
    const config = loadConfig({ DATA_DIR: dataDir, CLIENT_DIST: join(dataDir, "dist"), SCRYPT_LOG_N: "10" });
    const store = await createStore(config);
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) logLines.push(JSON.parse(line));
        done();
      },
    });
    const app = createApp({ config, store, logger: pino({ level: "trace" }, sink) });
    await new Promise<void>((resolve) => app.httpServer.listen(0, "127.0.0.1", resolve));
    server = { url: `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}` };
    user = await registerUser(server);
    stop = async () => {
      await app.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    };
  });
  afterAll(() => stop());
  afterEach(() => {
    // pino levels: 50 is error, 60 fatal. Each test starts with an empty log.
    expect(logLines.splice(0).filter((l) => l.level >= 50)).toEqual([]);
  });

  it.each([
    "/api/users/%",
    "/api/conversations/%E0%A4%A/messages",
    "/api/conversations/%E0%A4%A/changes",
    "/api/users/%ED%A0%80",
    "/api/users/%zz",
    "/api/%",
    "/%",
    "/chat/%C0%AF",
    "/healthz/%",
  ])("answers 400 VALIDATION for the malformed path %s, signed in or not", async (path) => {
    for (const token of [undefined, user.token]) {
      const res = await call(server, "GET", path, { token });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: "VALIDATION", message: expect.any(String) } });
    }
  });

  it.each([
    ["a path traversal", "/api/users/..%2F..%2Fetc%2Fpasswd"],
    ["a NUL", "/api/users/%00"],
    ["an emoji", "/api/users/%F0%9F%98%80"],
    ["a colon", "/api/users/a:b"],
    ["a space", "/api/users/%20"],
    ["4000 characters", `/api/users/${"x".repeat(4000)}`],
    ["an encoded %", "/api/users/%25"],
    ["an unknown well-formed id", "/api/users/no-such-user"],
  ])("answers 404 NOT_FOUND for a user id with %s", async (_case, path) => {
    const res = await call(server, "GET", path, { token: user.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String) } });
  });

  it.each([
    ["invalid JSON", { "content-type": "application/json" }, "{"],
    ["an unsupported charset", { "content-type": "application/json; charset=utf-7" }, "{}"],
    ["an unsupported content encoding", { "content-type": "application/json", "content-encoding": "bogus" }, "{}"],
    ["a JSON string", { "content-type": "application/json" }, '"text"'],
  ])("answers 4xx VALIDATION for a body with %s", async (_case, headers, body) => {
    const res = await fetch(`${server.url}/api/auth/login`, { method: "POST", headers, body });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(((await res.json()) as ErrorBody).error.code).toBe("VALIDATION");
  });
});

describe("/metrics", () => {
  const TOKEN = "metrics-token-0123456789";

  it("answers loopback callers without proxy headers, and 404 to requests that came through a proxy", async () => {
    const server = await serve();
    expect((await call(server, "GET", "/metrics")).status).toBe(200);
    for (const headers of <Record<string, string>[]>[
      { "x-forwarded-for": "203.0.113.9" },
      { forwarded: "for=203.0.113.9" },
      { "x-real-ip": "203.0.113.9" },
      { "x-forwarded-for": "203.0.113.9", authorization: `Bearer ${TOKEN}` },
    ]) {
      const res = await call(server, "GET", "/metrics", { headers });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String) } });
    }
  });

  it("with METRICS_TOKEN, answers the right bearer from anywhere and 404 to every other proxied caller", async () => {
    const server = await serve({ METRICS_TOKEN: TOKEN });
    const proxied = { "x-forwarded-for": "203.0.113.9" };
    const ok = await call<string>(server, "GET", "/metrics", {
      headers: { ...proxied, authorization: `Bearer ${TOKEN}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain("parley_sockets_connected");
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN, "Bearer "]) {
      const headers = authorization ? { ...proxied, authorization } : proxied;
      expect((await call(server, "GET", "/metrics", { headers })).status).toBe(404);
    }
  });
});

describe("Content-Security-Policy", () => {
  it("lets the page connect to its own origin only", async () => {
    const server = await serve();
    const csp = (await call(server, "GET", "/chat/someone")).headers.get("content-security-policy") ?? "";
    const directives = new Map(
      csp.split(";").map((d) => {
        const [name = "", ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get("connect-src")).toEqual(["'self'"]);
    expect(directives.get("default-src")).toEqual(["'self'"]);
  });
});
