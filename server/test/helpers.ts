import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import SQLite from "better-sqlite3";
import pg from "pg";
import { io as connect } from "socket.io-client";
import { inject } from "vitest";
import type { Socket } from "socket.io-client";
import { conversationIdFor } from "../../shared/protocol";
import type {
  AuthResponse,
  ClientToServerEvents,
  HistoryResponse,
  Message,
  ServerToClientEvents,
  User,
} from "../../shared/protocol";
import { createApp } from "../src/app";
import type { App, AppDeps } from "../src/app";
import { loadConfig } from "../src/config";
import type { Config } from "../src/config";
import { createLogger } from "../src/logger";
import { connectRedis, openRedisConnections } from "../src/redis";
import { createStore } from "../src/store";
import { SQLITE_FILE } from "../src/store/sqlite";
import type { Store } from "../src/store";

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export const INDEX_HTML = "<!doctype html><title>Parley test client</title>";

export type TestServer = {
  url: string;
  app: App;
  store: Store;
  config: Config;
  dataDir: string;
  /** With REDIS_URL: the node's id in Redis. */
  nodeId: string | undefined;
  /** Closes every client opened through connectClient, the app and the store; deletes the data unless kept. */
  close(options?: { keepData?: boolean }): Promise<void>;
  /**
   * With REDIS_URL: stops as a killed node would, as far as Redis and the other nodes can tell. Its Redis
   * connections drop first, so its heartbeat stops and nothing it does on the way down (socket releases,
   * presence, shared state cleanup) reaches Redis; then its sockets and HTTP server close.
   */
  crash(): Promise<void>;
};

const openSockets = new Set<ClientSocket>();

/**
 * The real app on 127.0.0.1:<random port> with a small built client and a
 * fresh SQLite file, or the one in `reuseDataDir` (a restart).
 */
/**
 * In the integration-pg project, the DATABASE_URL of a database of its own for the test server
 * using `dataDir`, created on first use and remembered in the directory so a restart finds it.
 */
export async function testDatabaseEnv(dataDir: string): Promise<Record<string, string>> {
  const adminUrl = inject("postgresUrl");
  if (!adminUrl) return {};
  const file = join(dataDir, "database-url");
  const existing = await readFile(file, "utf8").catch(() => undefined);
  if (existing) return { DATABASE_URL: existing };
  const name = `parley_${randomUUID().replaceAll("-", "")}`;
  const admin = new pg.Client(adminUrl);
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  await writeFile(file, url);
  return { DATABASE_URL: url };
}

export async function startServer(
  env: Record<string, string> = {},
  reuseDataDir?: string,
  services: Pick<AppDeps, "authLimiters" | "connectionCounter"> = {},
): Promise<TestServer> {
  const dataDir = reuseDataDir ?? (await mkdtemp(join(tmpdir(), "parley-test-")));
  const clientDist = join(dataDir, "dist");
  await mkdir(clientDist, { recursive: true });
  await writeFile(join(clientDist, "index.html"), INDEX_HTML);
  const config = loadConfig({
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    DATA_DIR: dataDir,
    CLIENT_DIST: clientDist,
    SCRYPT_LOG_N: "10",
    PRESENCE_GRACE_MS: "50",
    NODE_ENV: "test",
    // Every test registers its users from 127.0.0.1; the abuse tests lower these again.
    REGISTER_RATE_PER_HOUR: "100000",
    LOGIN_RATE_PER_MIN: "100000",
    ...(await testDatabaseEnv(dataDir)),
    ...env,
  });
  const store = await createStore(config);
  const logger = createLogger(config);
  const connections = config.redisUrl ? await openRedisConnections(config, logger) : undefined;
  const redis = connections ? await connectRedis(config, logger, connections) : undefined;
  const app = createApp({ config, store, logger, redis, ...services });
  await new Promise<void>((resolve) => app.httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = app.httpServer.address() as AddressInfo;

  let crashed = false;
  async function close({ keepData = false } = {}) {
    if (crashed) return;
    for (const socket of openSockets) socket.disconnect();
    openSockets.clear();
    await app.close();
    await store.close();
    if (!keepData) await rm(dataDir, { recursive: true, force: true });
  }

  return {
    url: `http://127.0.0.1:${port}`,
    app,
    store,
    config,
    dataDir,
    nodeId: redis?.nodeId,
    close,
    async crash() {
      if (!connections) throw new Error("crash() needs REDIS_URL");
      crashed = true;
      connections.client.destroy();
      connections.subscriber.destroy();
      await app.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type HttpResult<T = unknown> = { status: number; body: T; headers: Headers };

/** JSON over fetch; `token` becomes the bearer. The body is parsed when there is one. */
export async function http<T = unknown>(
  server: Pick<TestServer, "url">,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined || options.rawBody !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(server.url + path, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await res.text();
  const isJson = res.headers.get("content-type")?.includes("json") ?? false;
  return { status: res.status, body: (isJson && text ? JSON.parse(text) : text) as T, headers: res.headers };
}

let userCounter = 0;

export type TestUser = AuthResponse & { password: string };

/** Registers a fresh user with a unique username. */
export async function registerUser(server: Pick<TestServer, "url">, displayName?: string): Promise<TestUser> {
  const username = `user${++userCounter}_${randomUUID().slice(0, 8)}`;
  const password = "password-123";
  const res = await http<AuthResponse>(server, "POST", "/api/auth/register", {
    body: { username, password, ...(displayName && { displayName }) },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, password };
}

/** A connected socket.io-client; rejects with the connect_error. Closed by TestServer.close(). */
export function connectClient(
  server: Pick<TestServer, "url">,
  token: string | undefined,
  transports: ("websocket" | "polling")[] = ["websocket"],
): Promise<ClientSocket> {
  const socket: ClientSocket = connect(server.url, {
    auth: token === undefined ? {} : { token },
    transports,
    reconnection: false,
    forceNew: true,
  });
  openSockets.add(socket);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.disconnect();
      reject(error);
    });
  });
}

export type ConnectedPair = { alice: TestUser; bob: TestUser; a: ClientSocket; b: ClientSocket; dm: string };

/** Two fresh users, each with a socket, and their DM's id: every test starts from an empty conversation. */
export async function connectedPair(server: Pick<TestServer, "url">): Promise<ConnectedPair> {
  const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
  const [a, b] = await Promise.all([connectClient(server, alice.token), connectClient(server, bob.token)]);
  return { alice, bob, a, b, dm: conversationIdFor(alice.user.id, bob.user.id) };
}

type EventName = keyof ServerToClientEvents;
type EventPayload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

/** Resolves with the next `event` matching `predicate`; fails after `timeoutMs`. */
export function waitFor<E extends EventName>(
  socket: ClientSocket,
  event: E,
  predicate: (payload: EventPayload<E>) => boolean = () => true,
  timeoutMs = 5000,
): Promise<EventPayload<E>> {
  // Socket.IO cannot type a listener for a generic event name, so this one works on the untyped view.
  const untyped = socket as unknown as Socket;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      untyped.off(event as string, listener);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    function listener(payload: EventPayload<E>) {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      untyped.off(event as string, listener);
      resolve(payload);
    }
    untyped.on(event as string, listener);
  });
}

/** Collects every `event` from now on, for asserting order or absence after a barrier. */
export function collect<E extends EventName>(socket: ClientSocket, event: E): EventPayload<E>[] {
  const seen: EventPayload<E>[] = [];
  (socket as unknown as Socket).on(event as string, (payload: EventPayload<E>) => seen.push(payload));
  return seen;
}

/** Emits with an ack and resolves with the ack's response; fails after `timeoutMs`. */
export function emitAck<E extends Exclude<keyof ClientToServerEvents, "typing">>(
  socket: ClientSocket,
  event: E,
  payload: Parameters<ClientToServerEvents[E]>[0],
  timeoutMs = 5000,
): Promise<Parameters<Parameters<ClientToServerEvents[E]>[1]>[0]> {
  return (socket as unknown as Socket).timeout(timeoutMs).emitWithAck(event, payload) as Promise<
    Parameters<Parameters<ClientToServerEvents[E]>[1]>[0]
  >;
}

/** Emits anything (malformed payloads included) and resolves with the ack's response. */
export function rawEmitAck(socket: ClientSocket, event: string, ...args: unknown[]): Promise<unknown> {
  return (socket as unknown as Socket).timeout(5000).emitWithAck(event, ...args);
}

export function newClientId(): string {
  return randomUUID();
}

/** Sends a message and returns the stored one, failing the test on a Fail ack. */
export async function sendMessage(
  socket: ClientSocket,
  peerId: string,
  body: string,
  clientId = newClientId(),
): Promise<Message> {
  const res = await emitAck(socket, "message:send", { peerId, clientId, body });
  if (!res.ok) throw new Error(`send failed: ${res.error.code} ${res.error.message}`);
  return res.message;
}

/** Stores `count` messages straight through the store (fast seeding for paging tests). */
export async function seedMessages(
  server: TestServer,
  sender: User,
  recipient: User,
  count: number,
  bodyOf: (i: number) => string = (i) => `seed ${i}`,
): Promise<void> {
  const conversationId = conversationIdFor(sender.id, recipient.id);
  const [userA, userB] = [sender.id, recipient.id].sort() as [string, string];
  const messages = Array.from({ length: count }, (_, i) => ({
    id: randomUUID().replaceAll("-", ""),
    conversationId,
    userA,
    userB,
    senderId: sender.id,
    clientId: randomUUID(),
    body: bodyOf(i + 1),
    createdAt: new Date().toISOString(),
  }));
  // In batches, as the server writes them, so PostgreSQL's parameter limit is never reached.
  for (let i = 0; i < count; i += 200) await server.store.appendMessages(messages.slice(i, i + 200));
}

/**
 * A round-trip barrier: sends a message and waits until every `receivers`
 * socket got its broadcast. Events sent to them before it have arrived by
 * then, so absence can be asserted without sleeping.
 */
export async function messageBarrier(
  sender: ClientSocket,
  peerId: string,
  receivers: ClientSocket[],
): Promise<Message> {
  const clientId = newClientId();
  const arrivals = receivers.map((socket) => waitFor(socket, "message:new", (m) => m.clientId === clientId));
  const message = await sendMessage(sender, peerId, "barrier", clientId);
  await Promise.all(arrivals);
  return message;
}

/** A conversation's whole history as `token`'s owner sees it over HTTP, paged with afterSeq. */
export async function fetchAllMessages(url: string, token: string, peerId: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const res = await fetch(
      `${url}/api/conversations/${encodeURIComponent(peerId)}/messages?afterSeq=${messages.at(-1)?.seq ?? 0}&limit=500`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    if (!res.ok) throw new Error(`history failed: ${res.status}`);
    const page = (await res.json()) as HistoryResponse;
    messages.push(...page.messages);
    if (!page.hasMore) return messages;
  }
}

/** Every row of a table of the server's database, SQLite or PostgreSQL, read beside the server. */
export async function readTable(server: TestServer, table: string): Promise<Record<string, unknown>[]> {
  const { databaseUrl, dataDir } = server.config;
  if (databaseUrl) {
    const client = new pg.Client(databaseUrl);
    await client.connect();
    try {
      return (await client.query<Record<string, unknown>>(`SELECT * FROM ${table}`)).rows;
    } finally {
      await client.end();
    }
  }
  const db = new SQLite(join(dataDir, SQLITE_FILE), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/**
 * Runs one statement (`?` placeholders) on the server's database, SQLite or PostgreSQL, beside the
 * server: rows the app cannot write yet (a DM's system message, a member row that has left).
 */
export async function executeSql(server: TestServer, statement: string, values: unknown[]): Promise<void> {
  const { databaseUrl, dataDir } = server.config;
  if (databaseUrl) {
    const client = new pg.Client(databaseUrl);
    await client.connect();
    try {
      let n = 0;
      await client.query(
        statement.replace(/\?/g, () => `$${++n}`),
        values,
      );
    } finally {
      await client.end();
    }
    return;
  }
  const db = new SQLite(join(dataDir, SQLITE_FILE), { fileMustExist: true });
  try {
    db.prepare(statement).run(...values);
  } finally {
    db.close();
  }
}

/** Emits anything without an ack callback. */
export function rawEmit(socket: ClientSocket, event: string, ...args: unknown[]): void {
  (socket as unknown as Socket).emit(event, ...args);
}

// ---------------------------------------------------------------- the server as its own process

const SERVER_ENTRY = fileURLToPath(new URL("../src/index.ts", import.meta.url));
/** What `npm run build:server` writes and `npm run start:built` runs with plain node. */
const BUILT_SERVER_ENTRY = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const serverProcesses = new Set<ChildProcess>();

export type ServerProcess = {
  child: ChildProcess;
  url: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
};

/** A port that was free a moment ago, so a restarted server can listen where its clients reconnect. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts `server/src/index.ts` (with tsx), or the built `server/dist/index.js` with plain node, as its
 * own process on `dataDir` and resolves with its URL from the start-up log. `port` 0 picks a free one.
 */
export async function startServerProcess(
  dataDir: string,
  port = 0,
  env: Record<string, string> = {},
  { built = false } = {},
): Promise<ServerProcess> {
  const databaseEnv = await testDatabaseEnv(dataDir);
  const args = built ? ["--enable-source-maps", BUILT_SERVER_ENTRY] : ["--import", "tsx", SERVER_ENTRY];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "info",
      SCRYPT_LOG_N: "10",
      NODE_ENV: "test",
      REGISTER_RATE_PER_HOUR: "100000",
      LOGIN_RATE_PER_MIN: "100000",
      ...databaseEnv,
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  serverProcesses.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      serverProcesses.delete(child);
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (!match?.[1]) return;
      child.stdout?.off("data", onData);
      // Keep draining the log so a full pipe never blocks the server.
      child.stdout?.resume();
      resolve({ child, url: match[1], exited });
    };
    child.stdout?.on("data", onData);
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

/** SIGKILLs every server process still running and waits for each to exit (for afterAll, even on failure). */
export async function killServerProcesses(): Promise<void> {
  const running = [...serverProcesses];
  await Promise.all(
    running.map((child) => {
      const exit = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      return exit;
    }),
  );
}
