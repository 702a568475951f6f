// The deployments the messaging benchmark compares, each started from nothing
// and stopped afterwards: real server processes on a throwaway database.
import { startPostgres, findPostgresBin } from "../scripts/postgres";
import { findRedisServer, startRedis } from "../scripts/redis";
import { startServerProcess, type ServerProcess } from "../scripts/server-process";

export type Target = "sqlite" | "pg" | "cluster";
export const TARGETS: Record<Target, string> = {
  sqlite: "1 node (SQLite)",
  pg: "1 node (PostgreSQL)",
  cluster: "2 nodes (PostgreSQL + Redis)",
};

/**
 * Base URLs of the nodes the clients use (the benchmark sends on the first and receives on the
 * last), and on a cluster one more node without clients: with the Redis adapter every node
 * receives every broadcast, and its CPU time shows what that costs a node with no recipient.
 */
export type Deployment = { nodes: string[]; bystander?: string; stop(): Promise<void> };

// The benchmark measures the server, not its abuse limits.
export const UNLIMITED = {
  SEND_RATE_BURST: "100000",
  SEND_RATE_PER_SEC: "100000",
  REGISTER_RATE_PER_HOUR: "100000",
  LOGIN_RATE_PER_MIN: "100000",
  EVENT_RATE_BURST: "100000",
  EVENT_RATE_PER_SEC: "100000",
  MAX_SOCKETS_PER_USER: "100000",
};

function required<T>(found: T | null, what: string): T {
  if (found === null) throw new Error(`${what} is not installed; it is needed for this benchmark target`);
  return found;
}

/** Starts each part in turn; the returned function stops them in reverse order. A failed start stops the rest. */
async function startInOrder(steps: Array<() => Promise<{ stop(): Promise<void> }>>): Promise<() => Promise<void>> {
  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop();
  };
  try {
    for (const step of steps) started.push(await step());
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}

export async function startDeployment(target: Target): Promise<Deployment> {
  if (target === "sqlite") {
    const server = await startServerProcess(UNLIMITED);
    return { nodes: [server.baseURL], stop: () => server.stop() };
  }
  const pgBin = required(findPostgresBin(), "PostgreSQL");
  const redisBin = target === "cluster" ? required(findRedisServer(), "redis-server") : null;
  let env: Record<string, string> = UNLIMITED;
  const servers: ServerProcess[] = [];
  const steps: Array<() => Promise<{ stop(): Promise<void> }>> = [
    async () => {
      const postgres = await startPostgres(pgBin);
      env = { ...env, DATABASE_URL: postgres.url };
      return postgres;
    },
  ];
  if (redisBin) {
    steps.push(async () => {
      const redis = await startRedis(redisBin);
      env = { ...env, REDIS_URL: redis.url };
      return redis;
    });
  }
  // One after the other, so the second node finds the migrations done.
  for (let i = 0; i < (target === "cluster" ? 3 : 1); i++) {
    steps.push(async () => {
      const server = await startServerProcess(env);
      servers.push(server);
      return server;
    });
  }
  const stop = await startInOrder(steps);
  const [first, second, bystander] = servers.map((s) => s.baseURL);
  return bystander ? { nodes: [first!, second!], bystander, stop } : { nodes: [first!], stop };
}
