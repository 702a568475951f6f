// What the shared parts of a multi-node deployment can carry on this machine,
// measured on throwaway instances (scripts/redis.ts, scripts/postgres.ts):
//   npm run bench:infra
// Redis: PUBLISH rate with 0, 2 and 10 subscribers matching the pattern the
// Socket.IO Redis adapter uses (every node receives every broadcast).
// PostgreSQL: Parley's send transaction (bench/pgbench-send.sql) under pgbench,
// with durable commits and with synchronous_commit = off, spread over many
// conversations and all on one. Prints Markdown tables; docs/SCALING.md uses them.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { findPostgresBin, startPostgres } from "../scripts/postgres";
import { findRedisServer, startRedis } from "../scripts/redis";
import { createStore } from "../server/src/store";

const SEND_SCRIPT = fileURLToPath(new URL("pgbench-send.sql", import.meta.url));
const SECONDS = Number(process.env.BENCH_INFRA_SECONDS ?? 10);
const PUBLISHES = Number(process.env.BENCH_INFRA_PUBLISHES ?? 500_000);
/** One node's PostgreSQL pool (DATABASE_POOL_SIZE's default). */
const PG_CLIENTS = 10;
const CONVERSATIONS = 10_000;
// The adapter's channel for a broadcast to several rooms, and the pattern every node subscribes to.
const CHANNEL = "parley:socket.io#/#";
const PATTERN = `${CHANNEL}*`;
// About the size of the adapter's msgpack packet for one message:new.
const PAYLOAD = "x".repeat(400);

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} exited with ${code}: ${output}`)),
    );
  });
}

function number(output: string, pattern: RegExp): number {
  const match = pattern.exec(output);
  if (!match) throw new Error(`no ${pattern} in:\n${output}`);
  return Number(match[1]);
}

type Subscriber = { received(bytes: number): Promise<void>; stop(): void };

/** A redis-cli process subscribed to the adapter's pattern; counts the bytes it prints. */
async function subscriber(port: number): Promise<Subscriber> {
  const child = spawn("redis-cli", ["-p", String(port), "psubscribe", PATTERN], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  let bytes = 0;
  let waiting: { bytes: number; resolve(): void } | undefined;
  child.stdout.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    if (waiting && bytes >= waiting.bytes) waiting.resolve();
  });
  const subscriber: Subscriber = {
    received: (more) =>
      new Promise((resolve) => {
        waiting = { bytes: bytes + more, resolve };
      }),
    stop: () => child.kill("SIGTERM"),
  };
  // The first thing redis-cli prints is the subscription's confirmation.
  await subscriber.received(`psubscribe\n${PATTERN}\n1\n`.length);
  return subscriber;
}

async function benchRedis(): Promise<void> {
  const binary = findRedisServer();
  if (!binary) throw new Error("redis-server is not installed");
  const redis = await startRedis(binary);
  const cli = (...args: string[]) => run("redis-cli", ["-p", String(redis.port), ...args]);
  // Unbounded subscriber buffers: a slow subscriber then slows the measure down instead of being dropped.
  await cli("config", "set", "client-output-buffer-limit", "pubsub 0 0 0");
  const subscribers: Subscriber[] = [];
  const printedPerMessage = `pmessage\n${PATTERN}\n${CHANNEL}\n${PAYLOAD}\n`.length;
  try {
    console.log(
      `\nRedis: ${PUBLISHES} PUBLISH of ${PAYLOAD.length} bytes to ${CHANNEL}, 8 connections × 16 pipelined\n`,
    );
    console.log("| subscribers (nodes) | PUBLISH accepted/s | published and delivered to all/s | deliveries/s |");
    console.log("|---|---|---|---|");
    for (const count of [0, 2, 10]) {
      while (subscribers.length < count) subscribers.push(await subscriber(redis.port));
      const started = performance.now();
      const [output] = await Promise.all([
        run("redis-benchmark", [
          ...["-p", String(redis.port), "-q", "-c", "8", "-P", "16", "-n", String(PUBLISHES)],
          ...["PUBLISH", CHANNEL, PAYLOAD],
        ]),
        ...subscribers.map((s) => s.received(PUBLISHES * printedPerMessage)),
      ]);
      const delivered = PUBLISHES / ((performance.now() - started) / 1000);
      const accepted = number(output, /([\d.]+) requests per second/);
      console.log(
        `| ${count} | ${accepted.toFixed(0)} | ${delivered.toFixed(0)} | ${(delivered * count).toFixed(0)} |`,
      );
    }
  } finally {
    for (const s of subscribers) s.stop();
    await redis.stop();
  }
}

/** SQL on a connection of its own, closed afterwards. */
async function query<Row extends object>(url: string, text: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function benchPostgres(): Promise<void> {
  const bin = findPostgresBin();
  if (!bin) throw new Error("PostgreSQL is not installed");
  const postgres = await startPostgres(bin);
  try {
    // Parley's own migrations make the schema.
    await (await createStore({ dataDir: "", databaseUrl: postgres.url, databasePoolSize: 1 })).close();
    await query(
      postgres.url,
      `insert into users (id, username, display_name, password_hash, created_at)
       select side || i, side || i, side || i, '-', now()::text
       from generate_series(1, $1::int) i, (values ('a'), ('b')) s(side)`,
      [CONVERSATIONS],
    );
    // scripts/postgres.ts starts without durability (fsync=off on the command line, which no configuration
    // file overrides); a send benchmark needs it, so restart with PostgreSQL's defaults.
    const restart = [
      ...[join(bin, "pg_ctl"), "-D", join(postgres.dir, "data"), "-l", join(postgres.dir, "log"), "-w", "restart"],
      ...["-o", `-p ${postgres.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${postgres.dir}`],
    ];
    // PostgreSQL refuses to run as root.
    await (process.getuid?.() === 0
      ? run("runuser", ["-u", "postgres", "--", ...restart])
      : run(restart[0]!, restart.slice(1)));
    const settings = await query<{ name: string; setting: string }>(
      postgres.url,
      "select name, setting from pg_settings where name in ('fsync', 'full_page_writes', 'synchronous_commit')",
    );
    if (settings.some((s) => s.setting !== "on")) throw new Error(`not durable: ${JSON.stringify(settings)}`);

    console.log(
      `\nPostgreSQL: one send transaction (bench/pgbench-send.sql), ${PG_CLIENTS} clients, ${SECONDS} s each, fsync on\n`,
    );
    console.log("| conversations | synchronous_commit | sends/s | latency avg (ms) |");
    console.log("|---|---|---|---|");
    for (const conversations of [CONVERSATIONS, 1]) {
      for (const synchronousCommit of ["on", "off"]) {
        const output = await run(
          join(bin, "pgbench"),
          [
            ...["-h", "127.0.0.1", "-p", String(postgres.port), "-U", "parley", "-n", "-M", "extended"],
            ...["-c", String(PG_CLIENTS), "-j", "2", "-T", String(SECONDS)],
            ...["-D", `conversations=${conversations}`, "-f", SEND_SCRIPT, "postgres"],
          ],
          { PGOPTIONS: `-c synchronous_commit=${synchronousCommit}` },
        );
        const tps = number(output, /tps = ([\d.]+)/);
        const latency = number(output, /latency average = ([\d.]+) ms/);
        console.log(`| ${conversations} | ${synchronousCommit} | ${tps.toFixed(0)} | ${latency.toFixed(2)} |`);
      }
    }
  } finally {
    await postgres.stop();
  }
}

console.log(`Parley infrastructure benchmark — Node ${process.version}`);
await benchRedis();
await benchPostgres();
