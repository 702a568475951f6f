// A local Parley cluster: PostgreSQL, Redis, several nodes of the built server and nginx in
// front, all on 127.0.0.1 and temp directories. `npm run cluster` runs it by hand; tests reuse it.
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findNginx, startNginx } from "./nginx";
import type { RunningNginx } from "./nginx";
import { findPostgresBin, startPostgres } from "./postgres";
import type { RunningPostgres } from "./postgres";
import { findRedisServer, startRedis } from "./redis";
import type { RunningRedis } from "./redis";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const BUILT_SERVER = join(REPO_ROOT, "server/dist/index.js");
const HEALTHY_WITHIN_MS = 30_000;

/** What the cluster needs installed and cannot find, by apt package name; empty when it can run. */
export function missingClusterTools(): string[] {
  return [
    findPostgresBin() ? null : "postgresql",
    findRedisServer() ? null : "redis-server",
    findNginx() ? null : "nginx",
  ].filter((name): name is string => name !== null);
}

export type ClusterNode = {
  /** The name nginx routes on: `node1`, `node2`, … (the `parley_node` cookie's value). */
  name: string;
  /** The node itself, bypassing nginx. */
  url: string;
  /** SIGKILLs the node and resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts the node again on the same port and resolves once it is healthy. */
  restart(): Promise<void>;
};

export type Cluster = {
  /** nginx: where browsers and clients connect. */
  url: string;
  nodes: ClusterNode[];
  databaseUrl: string;
  redisUrl: string;
  /** The nginx configuration it runs. */
  nginxConfig: string;
  /** Stops nginx, the nodes, Redis and PostgreSQL, and removes every temp directory. */
  stop(): Promise<void>;
};

export type ClusterOptions = {
  /** How many nodes (2). */
  nodes?: number;
  /** nginx's port; 0 picks a free one. */
  port?: number;
  /** Extra environment for every node (rate limits, presence grace, LOG_LEVEL…). */
  env?: Record<string, string>;
  /** Where the nodes' logs go: this terminal, or nowhere. */
  logs?: "inherit" | "ignore";
};

function freePort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error) => reject(port ? new Error(`port ${port} is taken`, { cause: error }) : error));
    probe.listen(port, "127.0.0.1", () => {
      const { port: bound } = probe.address() as AddressInfo;
      probe.close(() => resolve(bound));
    });
  });
}

/** Builds the client and the server when their sources are newer than the build, as `npm start` does. */
function buildIfStale(): void {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/build-if-stale.ts"], {
    cwd: REPO_ROOT,
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error("the build failed");
}

async function waitHealthy(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + HEALTHY_WITHIN_MS;
  // /healthz is 200 once the node listens and reaches both PostgreSQL and Redis.
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited while starting`);
    const healthy = await fetch(`${url}/healthz`).then(
      (res) => res.ok,
      () => false,
    );
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} was not healthy within ${HEALTHY_WITHIN_MS} ms`);
}

type NodeProcess = ClusterNode & { start(): Promise<void>; stop(): Promise<void> };

function clusterNode(options: {
  name: string;
  port: number;
  env: Record<string, string>;
  logs: "inherit" | "ignore";
}): NodeProcess {
  const { name, port, env, logs } = options;
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited = Promise.resolve();

  async function start(): Promise<void> {
    const started = spawn(process.execPath, ["--enable-source-maps", BUILT_SERVER], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ["ignore", logs, logs],
    });
    child = started;
    exited = new Promise((resolve) => started.once("exit", () => resolve()));
    await waitHealthy(url, started, name);
  }

  async function signal(sig: NodeJS.Signals): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  }

  return {
    name,
    url,
    start,
    kill: () => signal("SIGKILL"),
    restart: start,
    stop: () => signal("SIGTERM"),
  };
}

/** Starts the whole cluster; on any failure stops what already started and rethrows. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const { nodes: nodeCount = 2, port = 0, env = {}, logs = "inherit" } = options;
  const missing = missingClusterTools();
  if (missing.length) throw new Error(`the cluster needs ${missing.join(", ")} (apt-get install ${missing.join(" ")})`);
  buildIfStale();

  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    // Last started, first stopped: nginx, the nodes, Redis, PostgreSQL, the temp directory.
    for (const step of stops.splice(0).reverse()) await step();
  };
  try {
    // A given port that is taken fails now rather than after the slow start.
    if (port) await freePort(port);
    const dir = await mkdtemp(join(tmpdir(), "parley-cluster-"));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    const postgres: RunningPostgres = await startPostgres(findPostgresBin()!);
    stops.push(() => postgres.stop());
    const redis: RunningRedis = await startRedis(findRedisServer()!);
    stops.push(() => redis.stop());

    const nodeEnv = (name: string) => ({
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      DATA_DIR: join(dir, name),
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      // nginx on loopback names the client's address in X-Forwarded-For (rate limits, lockouts).
      TRUST_PROXY: "loopback",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      ...env,
    });
    const nodes: NodeProcess[] = [];
    for (let i = 1; i <= nodeCount; i++) {
      const name = `node${i}`;
      nodes.push(clusterNode({ name, port: await freePort(), env: nodeEnv(name), logs }));
    }
    stops.push(() => Promise.all(nodes.map((node) => node.stop())).then(() => {}));
    // The first node runs the migrations alone; the others find the schema in place.
    const [first, ...others] = nodes;
    await first!.start();
    await Promise.all(others.map((node) => node.start()));

    const nginx: RunningNginx = await startNginx(findNginx()!, {
      port: await freePort(port),
      nodes: nodes.map((node) => ({ name: node.name, port: Number(new URL(node.url).port) })),
    });
    stops.push(() => nginx.stop());

    return {
      url: nginx.url,
      nodes: nodes.map(({ name, url, kill, restart }) => ({ name, url, kill, restart })),
      databaseUrl: postgres.url,
      redisUrl: redis.url,
      nginxConfig: nginx.config,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
