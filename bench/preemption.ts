// Where a read's slow requests come from: the server under
// bench/preemption-probe.ts, history pages (or, with BENCH_PROBE=list, the
// first page of the conversation list of the user with BENCH_LIST_CONVERSATIONS
// conversations) asked one at a time, as the bench's read scenarios do, after a
// warm-up, and for the requests over SLOW_MS
// whether the kernel took the event loop's thread off its core meanwhile or
// the request used more CPU. Also the CPU time of the server's other threads
// (V8's compiler and GC helpers, libuv's pool, the WAL checkpointer) during
// the series.
//   npx tsx bench/preemption.ts
//   BENCH_WARMUP_MS=1000 npx tsx bench/preemption.ts
//   BENCH_PROBE=list BENCH_HISTORY_MESSAGES=1000 npx tsx bench/preemption.ts
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServerProcess } from "../scripts/server-process";
import { UNLIMITED } from "./deployments";
import type { ProbedRequest } from "./preemption-probe";
import { seedDatabase } from "./seed";
import { percentile } from "./stats";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const MESSAGES = env("BENCH_HISTORY_MESSAGES", 200_000);
const REQUESTS = env("BENCH_HISTORY_REQUESTS", 3000);
const WARMUP_MS = env("BENCH_WARMUP_MS", 10_000);
const LIST_CONVERSATIONS = env("BENCH_LIST_CONVERSATIONS", 1000);
const TARGET = process.env.BENCH_PROBE === "list" ? "list" : "history";
const SLOW_MS = TARGET === "list" ? 10 : 3;

const dataDir = mkdtempSync(join(tmpdir(), "parley-preemption-"));
const probeOut = join(dataDir, "probe.json");
const seed = await seedDatabase(dataDir, {
  loaders: 2,
  idle: 0,
  historyMessages: MESSAGES,
  listConversations: TARGET === "list" ? LIST_CONVERSATIONS : 0,
});
// BENCH_CPU_PROF_DIR: a CPU profile of the server, warm-up included, written there when it stops.
const profile = process.env.BENCH_CPU_PROF_DIR;
const server = await startServerProcess(
  {
    ...UNLIMITED,
    DATA_DIR: dataDir,
    PROBE_OUT: probeOut,
    PROBE_PATH: TARGET === "list" ? "/api/conversations?" : "/messages",
  },
  [
    ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []),
    "--import",
    "tsx",
    "--import",
    join(import.meta.dirname, "preemption-probe.ts"),
  ],
);

/** CPU ms of each of the server's threads but the main one, by thread id. */
function helperThreadsCpuMs(): Map<number, number> {
  const threads = readdirSync(`/proc/${server.pid}/task`).map(Number);
  return new Map(
    threads
      .filter((tid) => tid !== server.pid)
      .map((tid) => [
        tid,
        Number(readFileSync(`/proc/${server.pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]) / 1e6,
      ]),
  );
}

const [sender, reader] = seed.history;
function nextPath(): string {
  if (TARGET === "list") return "/api/conversations?limit=50";
  const beforeSeq = 51 + Math.floor(Math.random() * (MESSAGES - 50));
  return `/api/conversations/${sender.id}/messages?beforeSeq=${beforeSeq}&limit=50`;
}
const token = TARGET === "list" ? seed.wide.token : reader.token;
async function page(): Promise<void> {
  const response = await fetch(`${server.baseURL}${nextPath()}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${TARGET}: ${response.status}`);
  await response.text();
}

/** Asks the probe for what it recorded since it was last asked, and waits for the file. */
async function collect(): Promise<ProbedRequest[]> {
  rmSync(probeOut, { force: true });
  process.kill(server.pid, "SIGUSR2");
  for (;;) {
    try {
      return JSON.parse(readFileSync(probeOut, "utf8")) as ProbedRequest[];
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

try {
  const warmupEnds = performance.now() + WARMUP_MS;
  while (performance.now() < warmupEnds) await page();
  await collect();
  const helpersBefore = helperThreadsCpuMs();
  for (let i = 0; i < REQUESTS; i++) await page();
  const helpersAfter = helperThreadsCpuMs();
  const requests = await collect();

  const times = requests.map((r) => r.ms);
  const at = (p: number) => percentile(times, p).toFixed(2);
  const slow = requests.filter((r) => r.ms > SLOW_MS);
  const mean = (values: number[]) => (values.reduce((sum, v) => sum + v, 0) / (values.length || 1)).toFixed(2);
  let helpersMs = 0;
  for (const [tid, ms] of helpersAfter) helpersMs += ms - (helpersBefore.get(tid) ?? 0);
  console.log(`| ${REQUESTS} ${TARGET} pages after ${WARMUP_MS / 1000} s of warm-up | |
|---|---|
| p50 / p99 server-side (ms) | ${at(50)} / ${at(99)} |
| CPU a page, mean (ms) | ${mean(requests.map((r) => r.cpuMs))} |
| pages over ${SLOW_MS} ms | ${slow.length} |
| … of which the event loop's thread was preempted | ${slow.filter((r) => r.preemptions > 0).length} |
| … their mean time runnable, not running (ms) | ${mean(slow.map((r) => r.waitMs))} |
| … their mean CPU (ms) | ${mean(slow.map((r) => r.cpuMs))} |
| the server's other threads' CPU during the series (ms) | ${helpersMs.toFixed(0)} |`);
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
