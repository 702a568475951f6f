// The benchmark peers are measured by: Parley's server beside a bare
// Socket.IO relay (bench/relay.ts: same rooms, same payload, the echo to the
// sender, no auth, no storage), both running at once, loaded alike by the
// same worker processes in alternating slices so the machine's noise hits
// both. Prints measure | relay | Parley | ratio and writes JSON; the method
// is in docs/benchmarks.md.
//   npm run bench
//   BENCH_SCENARIOS=steady,idle BENCH_CLIENTS=1000 BENCH_RATE=5 npm run bench
//   BENCH_BASELINE=../other-checkout BENCH_SCENARIOS=steady npm run bench
// With BENCH_BASELINE (a directory holding another checkout of Parley, with its
// node_modules), that server also runs, on a copy of the same seeded database,
// and takes its turn in every steady slice: a change measured before and after
// in one run, under the same noise.
import { fork, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { io } from "socket.io-client";
import { LIMITS, type ConversationListResponse, type Message } from "../shared/protocol";
import { startServerProcess } from "../scripts/server-process";
import { UNLIMITED } from "./deployments";
import type { ClientSpec, ServerName, SliceReport, WorkerCommand, WorkerReply } from "./load-protocol";
import { processUsage } from "./proc";
import { BODY, seedDatabase, type SeededUser } from "./seed";
import { median, percentile } from "./stats";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ALL_SCENARIOS = ["steady", "saturation", "idle", "history", "list", "catchup"];
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? ALL_SCENARIOS.join(",")).split(",").map((name) => name.trim());
for (const name of SCENARIOS) {
  if (!ALL_SCENARIOS.includes(name)) throw new Error(`BENCH_SCENARIOS: unknown ${name} (${ALL_SCENARIOS.join(", ")})`);
}
const CLIENTS = env("BENCH_CLIENTS", 1000);
/** Messages per second each client sends in the steady load (the full load is 5: 5,000 msg/s from 1,000). */
const RATE = env("BENCH_RATE", 0.1);
/** Slices per server in one steady run. */
const DURATION_S = env("BENCH_DURATION_S", 10);
const RUNS = env("BENCH_RUNS", 3);
const WORKERS = env("BENCH_WORKERS", 2);
const IDLE = env("BENCH_IDLE", 2000);
const HISTORY_MESSAGES = env("BENCH_HISTORY_MESSAGES", 1_000_000);
const HISTORY_REQUESTS = env("BENCH_HISTORY_REQUESTS", 500);
const LIST_CONVERSATIONS = env("BENCH_LIST_CONVERSATIONS", 1000);
const LIST_REQUESTS = env("BENCH_LIST_REQUESTS", 500);
/**
 * Requests before each timed series, not counted: code compiled, caches warm. At least this many,
 * and for at least WARMUP_MS. V8 optimises a function after enough calls, on its helper threads:
 * a history page's code was still being compiled after 3 s (some 700 pages), and on two cores those
 * threads preempted the event loop mid-request, 2–7 ms at a time (docs/benchmarks.md). After 10 s
 * of pages they are nearly idle.
 */
const WARMUP_REQUESTS = 20;
const WARMUP_MS = env("BENCH_WARMUP_MS", 10_000);
const CATCHUP_MISSED = env("BENCH_CATCHUP_MISSED", 1000);
const CATCHUP_ROUNDS = env("BENCH_CATCHUP_ROUNDS", 3);
/** The saturation ramp: first total rate (msg/s), factor per step, most steps. */
const RAMP_START = env("BENCH_RAMP_START", 50);
const RAMP_FACTOR = env("BENCH_RAMP_FACTOR", 1.5);
const RAMP_STEPS = env("BENCH_RAMP_STEPS", 15);
/**
 * After a server's ramp passes the knee: steps that each halve, in ratio, the gap between its last
 * rate under the knee and the first over it (two take ×1.5 down to ×1.11), run on that server alone.
 */
const RAMP_REFINE_STEPS = env("BENCH_RAMP_REFINE_STEPS", 2);
const KNEE_P99_MS = 200;
const KNEE_MIN_MESSAGES = 500;
const SLICE_MS = 1000;
/** How long a slice waits for its last acks and deliveries before counting the rest lost. */
const DRAIN_MS = env("BENCH_DRAIN_S", 10) * 1000;
/** A directory for V8 CPU profiles of both servers over the whole run, in relay/ and parley/ (scripts/cpu-profile-summary.ts reads them). */
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROF;
const cpuProfileArgs = (server: ServerName) =>
  CPU_PROFILE_DIR ? ["--cpu-prof", "--cpu-prof-dir", join(CPU_PROFILE_DIR, server)] : [];
const OUTPUT = process.env.BENCH_OUTPUT ?? `bench/results/${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
/** The two peers every scenario compares. */
const SERVERS = ["relay", "parley"] as const satisfies ServerName[];
type Peer = (typeof SERVERS)[number];
const BASELINE_DIR = process.env.BENCH_BASELINE;
/** The servers the steady load takes turns on. */
const STEADY_SERVERS: ServerName[] = BASELINE_DIR ? [...SERVERS, "baseline"] : [...SERVERS];
const PAIRS = Math.floor(CLIENTS / 2);

/** CLOCK_MONOTONIC, as V8 stamps its CPU profile samples. */
const monotonicMicroseconds = () => Number(process.hrtime.bigint() / 1000n);

// --- processes --------------------------------------------------------------

function forkTsx(script: string, nodeArgs: string[] = []): ChildProcess {
  return fork(script, [], {
    execArgv: [...nodeArgs, "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

async function startRelay(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = forkTsx("bench/relay.ts", cpuProfileArgs("relay"));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once("message", (message) => resolve(message as { port: number }));
    child.once("exit", () => reject(new Error("the relay exited")));
  });
  // Disconnecting lets it exit by itself, which writes its CPU profile when one is asked for.
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () => {
      child.disconnect();
      return exited;
    },
  };
}

type Worker = { ask(command: WorkerCommand): Promise<WorkerReply>; child: ChildProcess; ready: Promise<void> };

function startWorker(): Worker {
  const child = forkTsx("bench/load-worker.ts");
  return {
    child,
    ready: new Promise((resolve) => child.once("message", () => resolve())),
    ask: (command) =>
      new Promise((resolve, reject) => {
        // A worker that dies fails the run instead of leaving it waiting.
        const onExit = (code: number | null) => reject(new Error(`a load worker exited (${code})`));
        child.once("exit", onExit);
        child.once("message", (reply) => {
          child.off("exit", onExit);
          resolve(reply as WorkerReply);
        });
        child.send(command);
      }),
  };
}

// --- measuring --------------------------------------------------------------

/** The slices of one server in one scenario, summed; `sendingSeconds` is the slowest worker's sending time. */
type Load = Omit<SliceReport, "sendingMs" | "cpuMs"> & {
  generatorCpuSeconds: number;
  slices: number;
  offered: number;
  seconds: number;
  cpuSeconds: number;
  sendingSeconds: number;
};

function emptyLoad(): Load {
  return {
    sent: 0,
    acked: 0,
    failed: 0,
    delivered: 0,
    lost: 0,
    duplicates: 0,
    echoes: 0,
    generatorCpuSeconds: 0,
    deliveryMs: [],
    ackMs: [],
    slices: 0,
    offered: 0,
    seconds: 0,
    cpuSeconds: 0,
    sendingSeconds: 0,
  };
}

function addTo(total: Load, part: Load): void {
  for (const key of [
    "sent",
    "acked",
    "failed",
    "delivered",
    "lost",
    "duplicates",
    "echoes",
    "generatorCpuSeconds",
    "offered",
    "seconds",
    "cpuSeconds",
  ] as const)
    total[key] += part[key];
  total.deliveryMs.push(...part.deliveryMs);
  total.ackMs.push(...part.ackMs);
}

type LoadFigures = {
  offeredPerSecond: number;
  deliveredPerSecond: number;
  deliveryMeanMs: number;
  deliveryP50Ms: number;
  deliveryP99Ms: number;
  ackP99Ms: number;
  lost: number;
  duplicates: number;
  echoes: number;
  failed: number;
  cpuMsPerMessage: number;
  coresBusy: number;
  generatorCoresBusy: number;
};

function figuresOf(load: Load): LoadFigures {
  return {
    offeredPerSecond: load.offered / ((load.slices * SLICE_MS) / 1000),
    deliveredPerSecond: load.delivered / load.seconds,
    deliveryMeanMs: load.deliveryMs.reduce((sum, ms) => sum + ms, 0) / load.deliveryMs.length,
    deliveryP50Ms: percentile(load.deliveryMs, 50),
    deliveryP99Ms: percentile(load.deliveryMs, 99),
    ackP99Ms: percentile(load.ackMs, 99),
    lost: load.lost,
    duplicates: load.duplicates,
    echoes: load.echoes,
    failed: load.failed,
    cpuMsPerMessage: (load.cpuSeconds * 1000) / load.delivered,
    coresBusy: load.cpuSeconds / load.seconds,
    generatorCoresBusy: load.generatorCpuSeconds / load.seconds,
  };
}

// --- the run ----------------------------------------------------------------

/** What the run has started, undone last first however it ends: a failed start leaves no server running. */
const cleanups: Array<() => unknown> = [];
async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!();
}
/** A start-up step, and what undoes it when the run ends; a step that fails undoes the ones before it. */
async function step<T>(start: () => T | Promise<T>, undo?: (value: T) => unknown): Promise<T> {
  try {
    const value = await start();
    if (undo) cleanups.push(() => undo(value));
    return value;
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

const dataDir = await step(() => mkdtempSync(join(tmpdir(), "parley-bench-")), removeDir);
console.error(`seeding ${CLIENTS + IDLE} users and a conversation of ${HISTORY_MESSAGES} messages…`);
const seed = await step(() =>
  seedDatabase(dataDir, {
    loaders: PAIRS * 2,
    idle: IDLE,
    historyMessages: HISTORY_MESSAGES,
    listConversations: LIST_CONVERSATIONS,
  }),
);
const baselineDataDir = BASELINE_DIR
  ? await step(() => {
      const dir = mkdtempSync(join(tmpdir(), "parley-bench-baseline-"));
      cpSync(dataDir, dir, { recursive: true });
      return dir;
    }, removeDir)
  : null;
const stopServer = (server: { stop(): Promise<void> }) => server.stop();
const parley = await step(
  () => startServerProcess({ ...UNLIMITED, DATA_DIR: dataDir }, cpuProfileArgs("parley")),
  stopServer,
);
const baseline = baselineDataDir
  ? await step(
      () => startServerProcess({ ...UNLIMITED, DATA_DIR: baselineDataDir }, cpuProfileArgs("baseline"), BASELINE_DIR),
      stopServer,
    )
  : null;
const relay = await step(startRelay, stopServer);
// Without BENCH_BASELINE no slice is ever run on "baseline".
const urls: Record<ServerName, string> = {
  relay: relay.url,
  parley: parley.baseURL,
  baseline: baseline?.baseURL ?? "",
};
const pids: Record<ServerName, number> = { relay: relay.pid, parley: parley.pid, baseline: baseline?.pid ?? 0 };
const workers = await step(
  () => Array.from({ length: WORKERS }, startWorker),
  (forked) => {
    for (const worker of forked) worker.child.send({ type: "close" } satisfies WorkerCommand);
  },
);
// Nothing is measured while a process is still starting: the workers' start took a core for a second
// or two, and the history scenario's p99 was three times what it is on a quiet machine.
await Promise.all(workers.map((worker) => worker.ready));

const specsFor = (server: ServerName, users: SeededUser[], peerOf: (i: number) => string): ClientSpec[] =>
  users.map((user, i): ClientSpec => ({
    userId: user.id,
    peerId: peerOf(i),
    auth: server === "relay" ? { userId: user.id } : { token: user.token },
  }));

/** Splits `items` into one share per worker; pairs stay whole when `unit` is 2. */
function shares<T>(items: T[], unit = 1): T[][] {
  const units = items.length / unit;
  return workers.map((_, w) =>
    items.slice(Math.floor((units * w) / WORKERS) * unit, Math.floor((units * (w + 1)) / WORKERS) * unit),
  );
}

/** One slice on one server: every worker sends its share, the server's CPU time read around it. */
async function slice(server: ServerName, totalRate: number): Promise<Load> {
  const before = processUsage(pids[server]).cpuSeconds;
  const started = performance.now();
  const ratePerPair = totalRate / PAIRS;
  const replies = await Promise.all(
    workers.map((w) => w.ask({ type: "slice", server, ratePerPair, durationMs: SLICE_MS, drainMs: DRAIN_MS })),
  );
  const load = emptyLoad();
  load.seconds = (performance.now() - started) / 1000;
  load.cpuSeconds = processUsage(pids[server]).cpuSeconds - before;
  load.slices = 1;
  load.offered = (totalRate * SLICE_MS) / 1000;
  for (const reply of replies) {
    if (reply.type !== "slice") throw new Error("a worker answered out of turn");
    const { sendingMs, cpuMs, ...report } = reply.report;
    const generatorCpuSeconds = cpuMs / 1000;
    addTo(load, {
      ...report,
      generatorCpuSeconds,
      slices: 0,
      offered: 0,
      seconds: 0,
      cpuSeconds: 0,
      sendingSeconds: 0,
    });
    load.sendingSeconds = Math.max(load.sendingSeconds, sendingMs / 1000);
  }
  return load;
}

/** `slices` slices per server, alternating relay, Parley, relay, … */
async function interleaved(
  totalRate: number,
  slices: number,
  servers: readonly ServerName[] = SERVERS,
): Promise<Record<ServerName, Load>> {
  const loads = { relay: emptyLoad(), parley: emptyLoad(), baseline: emptyLoad() };
  for (let k = 0; k < slices; k++) for (const server of servers) addTo(loads[server], await slice(server, totalRate));
  return loads;
}

const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  node: process.version,
  settings: {
    ...{ SCENARIOS, CLIENTS, RATE, DURATION_S, RUNS, WORKERS, IDLE, DRAIN_MS },
    ...{
      RAMP_START,
      RAMP_FACTOR,
      RAMP_STEPS,
      RAMP_REFINE_STEPS,
      HISTORY_MESSAGES,
      HISTORY_REQUESTS,
      CATCHUP_MISSED,
      CATCHUP_ROUNDS,
    },
    ...{ LIST_CONVERSATIONS, LIST_REQUESTS, WARMUP_REQUESTS, WARMUP_MS },
  },
};
type Row = [measure: string, relay: number | null, parley: number, digits: number];
const rows: Row[] = [];
/** With BENCH_BASELINE, the steady measures of all three servers. */
const baselineRows: Array<[measure: string, relay: number, baseline: number, parley: number, digits: number]> = [];
const notes: string[] = [];

async function idleScenario(): Promise<void> {
  console.error(`idle: ${IDLE} connections to each server…`);
  const before = { relay: processUsage(pids.relay).rssBytes, parley: processUsage(pids.parley).rssBytes };
  const perConnection = { relay: 0, parley: 0 };
  for (const server of SERVERS) {
    const clients = specsFor(server, seed.idle, () => "");
    await Promise.all(
      shares(clients).map((share, w) =>
        workers[w]!.ask({ type: "connectIdle", server, url: urls[server], clients: share }),
      ),
    );
    perConnection[server] = (processUsage(pids[server]).rssBytes - before[server]) / IDLE;
  }
  for (const server of SERVERS) await Promise.all(workers.map((w) => w.ask({ type: "disconnectIdle", server })));
  results.idle = { connections: IDLE, rssBytesPerConnection: perConnection };
  rows.push([
    `idle: resident memory per connection, ${IDLE} connected (KiB)`,
    perConnection.relay / 1024,
    perConnection.parley / 1024,
    1,
  ]);
}

async function connectLoaders(): Promise<void> {
  console.error(`connecting ${PAIRS * 2} clients to each server…`);
  const peerOf = (i: number) => seed.loaders[i % 2 ? i - 1 : i + 1]!.id;
  for (const server of STEADY_SERVERS) {
    const clients = specsFor(server, seed.loaders, peerOf);
    await Promise.all(
      shares(clients, 2).map((share, w) =>
        workers[w]!.ask({ type: "connect", server, url: urls[server], clients: share }),
      ),
    );
  }
}

async function steadyScenario(): Promise<void> {
  const totalRate = RATE * PAIRS * 2;
  // A first slice each, unmeasured: connections warm, code compiled.
  await interleaved(totalRate, 1, STEADY_SERVERS);
  const runs: Array<Partial<Record<ServerName, LoadFigures>>> = [];
  const measuredFrom = monotonicMicroseconds();
  for (let run = 1; run <= RUNS; run++) {
    console.error(`steady: run ${run} of ${RUNS}, ${totalRate} msg/s, ${DURATION_S} slices per server…`);
    const loads = await interleaved(totalRate, DURATION_S, STEADY_SERVERS);
    runs.push(Object.fromEntries(STEADY_SERVERS.map((server) => [server, figuresOf(loads[server])])));
  }
  // The profiles' timestamps are on the same monotonic clock, so the summary can keep only the measured slices.
  if (CPU_PROFILE_DIR) {
    const window = { fromUs: measuredFrom, toUs: monotonicMicroseconds() };
    mkdirSync(CPU_PROFILE_DIR, { recursive: true });
    writeFileSync(join(CPU_PROFILE_DIR, "steady-window.json"), JSON.stringify(window));
  }
  const medianOf = (server: ServerName, key: keyof LoadFigures) => median(runs.map((r) => r[server]![key]));
  results.steady = { totalRate, pairs: PAIRS, runs };
  const label = `steady, ${PAIRS * 2} clients × ${RATE} msg/s`;
  const row = (what: string, key: keyof LoadFigures, digits: number): Row => {
    if (BASELINE_DIR) {
      baselineRows.push([what, medianOf("relay", key), medianOf("baseline", key), medianOf("parley", key), digits]);
    }
    return [`${label}: ${what}`, medianOf("relay", key), medianOf("parley", key), digits];
  };
  rows.push(
    row("delivered msg/s", "deliveredPerSecond", 0),
    row("send → peer mean (ms)", "deliveryMeanMs", 2),
    row("send → peer p50 (ms)", "deliveryP50Ms", 2),
    row("send → peer p99 (ms)", "deliveryP99Ms", 2),
    row("send → ack p99 (ms)", "ackP99Ms", 2),
    row("lost", "lost", 0),
    row("duplicated", "duplicates", 0),
    row("echoes to the sender", "echoes", 0),
    row("server CPU per message (ms)", "cpuMsPerMessage", 3),
    row("server CPU busy (cores)", "coresBusy", 2),
    row("load generator CPU busy (cores)", "generatorCoresBusy", 2),
  );
}

async function saturationScenario(): Promise<void> {
  const knee: Record<Peer, { rate: number; figures: LoadFigures | null; limitedBy: string }> = {
    relay: { rate: 0, figures: null, limitedBy: `not reached in ${RAMP_STEPS} steps` },
    parley: { rate: 0, figures: null, limitedBy: `not reached in ${RAMP_STEPS} steps` },
  };
  /** The lowest rate each server was found over the knee at. */
  const overAt: Partial<Record<Peer, number>> = {};
  const ramping = new Set<Peer>(SERVERS);
  type Step = { totalRate: number; repeated: ServerName[] } & Partial<Record<ServerName, LoadFigures>>;
  const steps: Step[] = [];
  const overKnee = (load: Load) => {
    const figures = figuresOf(load);
    return figures.deliveryP99Ms > KNEE_P99_MS || figures.lost > 0;
  };
  /** One step at `rate` on `servers`, taking turns; what each server's step says of its knee. */
  async function step(rate: number, servers: Peer[]): Promise<void> {
    console.error(`saturation: ${rate.toFixed(0)} msg/s on ${servers.join(", ")}…`);
    // Enough messages per step that its p99 is not just its slowest one.
    const slices = Math.max(2, Math.ceil(KNEE_MIN_MESSAGES / rate));
    const loads = await interleaved(rate, slices, servers);
    // A step over the knee is run once more, so one burst of the machine's other work does not end a ramp.
    const repeated = servers.filter((server) => overKnee(loads[server]));
    if (repeated.length > 0) {
      const again = await interleaved(rate, slices, repeated);
      for (const server of repeated) loads[server] = again[server];
    }
    const record: Step = { totalRate: rate, repeated };
    steps.push(record);
    for (const server of servers) {
      const figures = figuresOf(loads[server]);
      record[server] = figures;
      if (loads[server].sendingSeconds > 1.1 * loads[server].slices * (SLICE_MS / 1000)) {
        knee[server].limitedBy = `the load generator could not send ${rate.toFixed(0)} msg/s on time`;
        ramping.delete(server);
      } else if (overKnee(loads[server])) {
        knee[server].limitedBy = `p99 ${figures.deliveryP99Ms.toFixed(0)} ms at ${rate.toFixed(0)} msg/s, twice`;
        overAt[server] = rate;
        ramping.delete(server);
      } else {
        knee[server] = { ...knee[server], rate, figures };
      }
    }
  }
  for (let i = 0, rate = RAMP_START; i < RAMP_STEPS && ramping.size > 0; i++, rate *= RAMP_FACTOR) {
    await step(rate, [...ramping]);
  }
  for (const server of SERVERS) {
    for (let i = 0; i < RAMP_REFINE_STEPS && knee[server].rate > 0 && overAt[server] !== undefined; i++) {
      await step(Math.sqrt(knee[server].rate * overAt[server]), [server]);
    }
  }
  results.saturation = { kneeP99Ms: KNEE_P99_MS, knee, steps };
  rows.push([
    `saturation: highest rate with p99 ≤ ${KNEE_P99_MS} ms (msg/s)`,
    knee.relay.figures?.deliveredPerSecond ?? NaN,
    knee.parley.figures?.deliveredPerSecond ?? NaN,
    0,
  ]);
  rows.push([
    `saturation: server CPU per message at the knee (ms)`,
    knee.relay.figures?.cpuMsPerMessage ?? NaN,
    knee.parley.figures?.cpuMsPerMessage ?? NaN,
    3,
  ]);
  notes.push(`saturation, what ended each ramp: relay — ${knee.relay.limitedBy}; Parley — ${knee.parley.limitedBy}.`);
}

// --- HTTP reads, timed on both sides -------------------------------------------

/** Cumulative counts of Parley's request-duration histogram for one route (GET, 2xx), by upper bound (s). */
async function durationBuckets(route: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${urls.parley}/metrics`)).text();
  const buckets = new Map<number, number>();
  for (const line of text.split("\n")) {
    const match = /^parley_http_request_duration_seconds_bucket\{(.*)\} (\S+)$/.exec(line);
    if (!match || !match[1]!.includes(`route="${route}"`) || !match[1]!.includes('method="GET",')) continue;
    if (!match[1]!.includes('status="2xx"')) continue;
    const le = /le="([^"]+)"/.exec(match[1]!)![1]!;
    buckets.set(le === "+Inf" ? Infinity : Number(le), Number(match[2]));
  }
  return buckets;
}

/**
 * The p-th percentile (ms) of the requests counted between two readings, interpolated linearly
 * inside its bucket as Prometheus's histogram_quantile does (past the last finite bound: that bound).
 */
function bucketPercentile(before: Map<number, number>, after: Map<number, number>, p: number): number {
  const bounds = [...after.keys()].sort((x, y) => x - y);
  const counted = (le: number) => after.get(le)! - (before.get(le) ?? 0);
  const rank = (p / 100) * counted(Infinity);
  let lower = 0;
  for (const le of bounds) {
    const below = lower === 0 ? 0 : counted(lower);
    if (counted(le) >= rank) {
      if (le === Infinity) return lower * 1000;
      return (lower + ((le - lower) * (rank - below)) / (counted(le) - below || 1)) * 1000;
    }
    lower = le;
  }
  return NaN;
}

type TimedReads = { clientP50Ms: number; clientP99Ms: number; serverP50Ms: number; serverP99Ms: number; cpuMs: number };

/**
 * `count` GETs one at a time after a few unmeasured ones: client-side latency over loopback, the
 * server's own duration of each (its histogram under `route`, read before and after), and its CPU time
 * per request. `check` throws on a wrong answer.
 */
async function timedReads(
  count: number,
  route: string,
  request: () => { path: string; token: string; check: (body: unknown) => void },
): Promise<TimedReads> {
  const get = async () => {
    const { path, token, check } = request();
    const started = performance.now();
    const response = await fetch(`${urls.parley}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body: unknown = await response.json();
    const ms = performance.now() - started;
    check(body);
    return ms;
  };
  const warmupEnds = performance.now() + WARMUP_MS;
  for (let i = 0; i < WARMUP_REQUESTS || performance.now() < warmupEnds; i++) await get();
  const bucketsBefore = await durationBuckets(route);
  const cpuBefore = processUsage(pids.parley).cpuSeconds;
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) latencies.push(await get());
  const cpuMs = ((processUsage(pids.parley).cpuSeconds - cpuBefore) * 1000) / count;
  const bucketsAfter = await durationBuckets(route);
  return {
    clientP50Ms: percentile(latencies, 50),
    clientP99Ms: percentile(latencies, 99),
    serverP50Ms: bucketPercentile(bucketsBefore, bucketsAfter, 50),
    serverP99Ms: bucketPercentile(bucketsBefore, bucketsAfter, 99),
    cpuMs,
  };
}

function pushReadRows(label: string, figures: TimedReads, cpuLabel: string): void {
  rows.push(
    [`${label}: p50 (ms, loopback)`, null, figures.clientP50Ms, 2],
    [`${label}: p99 (ms, loopback)`, null, figures.clientP99Ms, 2],
    [`${label}: p50 (ms, server)`, null, figures.serverP50Ms, 2],
    [`${label}: p99 (ms, server)`, null, figures.serverP99Ms, 2],
    [`${label}: server CPU per ${cpuLabel} (ms)`, null, figures.cpuMs, 2],
  );
}

async function historyScenario(): Promise<void> {
  console.error(`history: ${HISTORY_REQUESTS} pages of 50 from ${HISTORY_MESSAGES} messages…`);
  const [a, b] = seed.history;
  const figures = await timedReads(HISTORY_REQUESTS, "/api/conversations/:peerId/messages", () => {
    const beforeSeq = 51 + Math.floor(Math.random() * (HISTORY_MESSAGES - 50));
    return {
      path: `/api/conversations/${b.id}/messages?beforeSeq=${beforeSeq}&limit=50`,
      token: a.token,
      check: (body) => {
        const { messages } = body as { messages: Message[] };
        if (messages.length !== 50 || messages[49]!.seq !== beforeSeq - 1)
          throw new Error(`history: a wrong page before ${beforeSeq}`);
      },
    };
  });
  results.history = { messages: HISTORY_MESSAGES, requests: HISTORY_REQUESTS, ...figures };
  pushReadRows(`history: 50-message page of ${HISTORY_MESSAGES}`, figures, "page");
}

async function listScenario(): Promise<void> {
  const lists: Array<{ label: string; user: SeededUser; conversations: number; unread: number }> = [
    { label: `${HISTORY_MESSAGES} unread`, user: seed.history[1], conversations: 1, unread: HISTORY_MESSAGES },
    { label: `${LIST_CONVERSATIONS} conversations`, user: seed.wide, conversations: LIST_CONVERSATIONS, unread: 1 },
  ];
  // The whole list, and the first page as the client asks for it.
  const shapes = [
    { name: "whole list", query: "", size: (conversations: number) => conversations },
    {
      name: `first page of ${LIMITS.conversationPageDefault}`,
      query: `?limit=${LIMITS.conversationPageDefault}`,
      size: (conversations: number) => Math.min(conversations, LIMITS.conversationPageDefault),
    },
  ];
  results.list = {};
  for (const { label, user, conversations, unread } of lists) {
    for (const shape of shapes) {
      console.error(`list: ${LIST_REQUESTS} × ${shape.name} of a user with ${label}…`);
      const figures = await timedReads(LIST_REQUESTS, "/api/conversations", () => ({
        path: `/api/conversations${shape.query}`,
        token: user.token,
        check: (body) => {
          const { conversations: list, totals } = body as ConversationListResponse;
          if (
            list.length !== shape.size(conversations) ||
            list.some((c) => c.unreadCount !== unread) ||
            totals.unread !== conversations * unread
          )
            throw new Error(`list: a wrong ${shape.name} for ${user.id}`);
        },
      }));
      (results.list as Record<string, unknown>)[`${label}, ${shape.name}`] = { requests: LIST_REQUESTS, ...figures };
      pushReadRows(`list, ${shape.name}: a user with ${label}`, figures, "list");
    }
  }
}

async function catchUpScenario(): Promise<void> {
  const [a, b] = seed.catchUp;
  const connect = (user: SeededUser) =>
    new Promise<ReturnType<typeof io>>((resolve, reject) => {
      const socket = io(urls.parley, { auth: { token: user.token }, transports: ["websocket"], forceNew: true });
      socket.once("connect", () => resolve(socket));
      socket.once("connect_error", reject);
    });
  const sender = await connect(a);
  let lastSeen = 0;
  const times: number[] = [];
  for (let round = 0; round < CATCHUP_ROUNDS; round++) {
    console.error(`catch-up: round ${round + 1} of ${CATCHUP_ROUNDS}, ${CATCHUP_MISSED} missed messages…`);
    // b is away while a sends; every send acked before b comes back.
    for (let first = 0; first < CATCHUP_MISSED; first += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, CATCHUP_MISSED - first) }, async () => {
          const ack = (await sender.emitWithAck("message:send", {
            peerId: b.id,
            clientId: crypto.randomUUID(),
            body: BODY,
          })) as { ok: boolean };
          if (!ack.ok) throw new Error("catch-up: a send failed");
        }),
      );
    }
    const started = performance.now();
    const receiver = await connect(b);
    const join = (await receiver.emitWithAck("conversation:join", { peerId: a.id, afterSeq: lastSeen })) as {
      messages: Message[];
      hasMore: boolean;
    };
    const got = [...join.messages];
    let hasMore = join.hasMore;
    while (hasMore) {
      const response = await fetch(
        `${urls.parley}/api/conversations/${a.id}/messages?afterSeq=${got[got.length - 1]!.seq}&limit=500`,
        { headers: { authorization: `Bearer ${b.token}` } },
      );
      const page = (await response.json()) as { messages: Message[]; hasMore: boolean };
      got.push(...page.messages);
      hasMore = page.hasMore;
    }
    times.push(performance.now() - started);
    receiver.disconnect();
    if (got.length !== CATCHUP_MISSED || got[0]!.seq !== lastSeen + 1)
      throw new Error(`catch-up: got ${got.length} messages`);
    lastSeen += CATCHUP_MISSED;
  }
  sender.disconnect();
  results.catchUp = { missed: CATCHUP_MISSED, roundsMs: times };
  rows.push([`catch-up: rejoin after ${CATCHUP_MISSED} missed until all are in, median (ms)`, null, median(times), 1]);
}

try {
  if (SCENARIOS.includes("idle")) await idleScenario();
  if (SCENARIOS.includes("steady") || SCENARIOS.includes("saturation")) await connectLoaders();
  if (SCENARIOS.includes("steady")) await steadyScenario();
  if (SCENARIOS.includes("saturation")) await saturationScenario();
  if (SCENARIOS.includes("history")) await historyScenario();
  if (SCENARIOS.includes("list")) await listScenario();
  if (SCENARIOS.includes("catchup")) await catchUpScenario();
} finally {
  await cleanUp();
}

const format = (value: number | null, digits: number) =>
  value === null
    ? "–"
    : Number.isNaN(value)
      ? "n/a"
      : value.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log(`\nParley beside a bare Socket.IO relay — ${WORKERS} load workers, Node ${process.version}\n`);
console.log("| measure | relay | Parley | Parley ÷ relay |");
console.log("|---|---|---|---|");
for (const [measure, relayValue, parleyValue, digits] of rows) {
  const ratio = relayValue === null ? NaN : parleyValue / relayValue;
  console.log(
    `| ${measure} | ${format(relayValue, digits)} | ${format(parleyValue, digits)} | ${Number.isFinite(ratio) ? ratio.toFixed(2) : "–"} |`,
  );
}
if (baselineRows.length > 0) {
  const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? (a / b).toFixed(2) : "–");
  console.log(`\nThe steady load beside the baseline (${BASELINE_DIR}), medians of ${RUNS} runs\n`);
  console.log("| measure | relay | baseline | Parley | baseline ÷ relay | Parley ÷ relay | Parley ÷ baseline |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [measure, r, b, p, digits] of baselineRows) {
    console.log(
      `| ${measure} | ${format(r, digits)} | ${format(b, digits)} | ${format(p, digits)} | ${ratio(b, r)} | ${ratio(p, r)} | ${ratio(p, b)} |`,
    );
  }
}
for (const note of notes) console.log(`\n${note}`);
results.table = rows.map(([measure, relayValue, parleyValue]) => ({ measure, relay: relayValue, parley: parleyValue }));
mkdirSync(join(OUTPUT, ".."), { recursive: true });
writeFileSync(OUTPUT, JSON.stringify(results, null, 2));
console.log(`\nJSON: ${OUTPUT}`);
