// Messaging benchmark: real server processes (bench/deployments.ts) driven by
// real socket.io-client clients over loopback, one deployment after the other
// in the same run, so their figures can be compared.
//   npm run bench:deployments                  SQLite node, PostgreSQL node, 2-node cluster
//   BENCH_TARGETS=sqlite,cluster npm run bench:deployments
//   BENCH_PAIRS=20 BENCH_MESSAGES=500 BENCH_IDLE_SOCKETS=2000 npm run bench:deployments
// On several nodes every pair is split: sender on the first node, receiver on
// the last, so each message crosses Redis; a third node without clients shows
// what every node pays per broadcast. Prints a Markdown table;
// docs/benchmarks.md records the numbers of a run.
import { performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";
import type { AuthResponse, ClientToServerEvents, Message, ServerToClientEvents } from "../shared/protocol";
import { TARGETS, startDeployment, type Deployment, type Target } from "./deployments";
import { percentile } from "./stats";

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const PAIRS = Number(process.env.BENCH_PAIRS ?? 10);
const MESSAGES_PER_SENDER = Number(process.env.BENCH_MESSAGES ?? 200);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 500);
const IDLE_SOCKETS = Number(process.env.BENCH_IDLE_SOCKETS ?? 1000);
const SELECTED = (process.env.BENCH_TARGETS ?? "sqlite,pg,cluster").split(",").map((t) => t.trim());
/** Sends in flight per client during the throughput phase. */
const WINDOW = 10;
/** Idle sockets opened at once. */
const CONNECT_BATCH = 100;

for (const target of SELECTED) {
  if (!(target in TARGETS))
    throw new Error(`BENCH_TARGETS: unknown target ${target} (${Object.keys(TARGETS).join(", ")})`);
}
const targets = SELECTED as Target[];

type Cell = { text: string; value: number };

/** p50 / p95 / p99; the p50 is the value compared across deployments. */
function latencyCell(samplesMs: number[]): Cell {
  return {
    text: [50, 95, 99].map((p) => percentile(samplesMs, p).toFixed(2)).join(" / "),
    value: percentile(samplesMs, 50),
  };
}

type ProcessFigures = { rssBytes: number; cpuSeconds: number };

/** Resident memory and CPU time of one node, from its /metrics (open to loopback). */
async function processFigures(baseURL: string): Promise<ProcessFigures> {
  const text = await (await fetch(`${baseURL}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
  return { rssBytes: value("process_resident_memory_bytes"), cpuSeconds: value("process_cpu_seconds_total") };
}

async function allNodesFigures(nodes: string[]): Promise<ProcessFigures> {
  const each = await Promise.all(nodes.map(processFigures));
  return {
    rssBytes: each.reduce((sum, f) => sum + f.rssBytes, 0),
    cpuSeconds: each.reduce((sum, f) => sum + f.cpuSeconds, 0),
  };
}

type Result = {
  nodes: number;
  rssPerSocketBytes: number;
  latency: { ack: number[]; delivery: number[] };
  load: { total: number; seconds: number; ack: number[]; cpuSeconds: number; bystanderCpuSeconds: number };
  history: { page: number[]; catchUp: number[] };
};

async function benchmark({ nodes, bystander }: Deployment): Promise<Result> {
  const sendNode = nodes[0]!;
  const receiveNode = nodes[nodes.length - 1]!;
  const sockets: ClientSocket[] = [];

  async function register(name: string): Promise<AuthResponse> {
    const response = await fetch(`${sendNode}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: name, password: "benchmark-password" }),
    });
    if (!response.ok) throw new Error(`register ${name}: ${response.status}`);
    return (await response.json()) as AuthResponse;
  }

  async function connect(auth: AuthResponse, node: string): Promise<ClientSocket> {
    const socket: ClientSocket = io(node, { auth: { token: auth.token }, transports: ["websocket"], forceNew: true });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    return socket;
  }

  async function send(socket: ClientSocket, peerId: string, body: string): Promise<Message> {
    const ack = await socket.emitWithAck("message:send", { peerId, clientId: crypto.randomUUID(), body });
    if (!ack.ok) throw new Error(ack.error.message);
    return ack.message;
  }

  type Pair = { a: AuthResponse; b: AuthResponse; sa: ClientSocket; sb: ClientSocket };

  async function makePair(index: number): Promise<Pair> {
    const a = await register(`bench_a${index}`);
    const b = await register(`bench_b${index}`);
    const [sa, sb] = await Promise.all([connect(a, sendNode), connect(b, receiveNode)]);
    await sa.emitWithAck("conversation:join", { peerId: b.user.id });
    await sb.emitWithAck("conversation:join", { peerId: a.user.id });
    return { a, b, sa, sb };
  }

  /** Resident memory each idle socket adds: IDLE_SOCKETS of one user, spread over the nodes. */
  async function measureIdleMemory(): Promise<number> {
    const auth = await register("bench_idle");
    const before = await allNodesFigures(nodes);
    const idle: ClientSocket[] = [];
    while (idle.length < IDLE_SOCKETS) {
      const batch = Math.min(CONNECT_BATCH, IDLE_SOCKETS - idle.length);
      const first = idle.length;
      idle.push(
        ...(await Promise.all(
          Array.from({ length: batch }, (_, i) => connect(auth, nodes[(first + i) % nodes.length]!)),
        )),
      );
    }
    const after = await allNodesFigures(nodes);
    for (const socket of idle) socket.disconnect();
    return (after.rssBytes - before.rssBytes) / IDLE_SOCKETS;
  }

  /** One message at a time: ack latency at the sender, delivery latency at the receiver. */
  async function measureLatency(pair: Pair): Promise<Result["latency"]> {
    const ack: number[] = [];
    const delivery: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const body = `latency ${i}`;
      const started = performance.now();
      const delivered = new Promise<number>((resolve) => {
        const onMessage = (message: Message) => {
          if (message.body !== body) return;
          pair.sb.off("message:new", onMessage);
          resolve(performance.now() - started);
        };
        pair.sb.on("message:new", onMessage);
      });
      await send(pair.sa, pair.b.user.id, body);
      ack.push(performance.now() - started);
      delivery.push(await delivered);
    }
    return { ack, delivery };
  }

  /** Every client of every pair sends at once, WINDOW sends in flight each; CPU time summed over the nodes. */
  async function measureThroughput(pairs: Pair[]): Promise<Result["load"]> {
    const ack: number[] = [];
    async function sender(socket: ClientSocket, peerId: string) {
      let next = 0;
      async function lane() {
        while (next < MESSAGES_PER_SENDER) {
          const i = next++;
          const started = performance.now();
          await send(socket, peerId, `load ${i}`);
          ack.push(performance.now() - started);
        }
      }
      await Promise.all(Array.from({ length: WINDOW }, lane));
    }
    const cpuBefore = (await allNodesFigures(nodes)).cpuSeconds;
    // NaN without a bystander node.
    const bystanderCpu = async () => (bystander ? (await processFigures(bystander)).cpuSeconds : NaN);
    const bystanderBefore = await bystanderCpu();
    const started = performance.now();
    await Promise.all(pairs.flatMap((p) => [sender(p.sa, p.b.user.id), sender(p.sb, p.a.user.id)]));
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = (await allNodesFigures(nodes)).cpuSeconds - cpuBefore;
    const bystanderCpuSeconds = (await bystanderCpu()) - bystanderBefore;
    return { total: ack.length, seconds, ack, cpuSeconds, bystanderCpuSeconds };
  }

  /** History reads over HTTP: the newest page, and a 500-message catch-up. */
  async function measureHistory(pair: Pair): Promise<Result["history"]> {
    const page: number[] = [];
    const catchUp: number[] = [];
    const headers = { authorization: `Bearer ${pair.a.token}` };
    const path = `${sendNode}/api/conversations/${pair.b.user.id}/messages`;
    for (let i = 0; i < 100; i++) {
      let started = performance.now();
      await (await fetch(`${path}?limit=50`, { headers })).json();
      page.push(performance.now() - started);
      started = performance.now();
      await (await fetch(`${path}?afterSeq=0&limit=500`, { headers })).json();
      catchUp.push(performance.now() - started);
    }
    return { page, catchUp };
  }

  try {
    const pairs = await Promise.all(Array.from({ length: PAIRS }, (_, i) => makePair(i)));
    const rssPerSocketBytes = await measureIdleMemory();
    const latency = await measureLatency(pairs[0]!);
    const load = await measureThroughput(pairs);
    const history = await measureHistory(pairs[0]!);
    return { nodes: nodes.length, rssPerSocketBytes, latency, load, history };
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
}

const rows: Array<[string, (r: Result) => Cell]> = [
  [`ack latency, one at a time (p50 / p95 / p99 ms, n=${LATENCY_SAMPLES})`, (r) => latencyCell(r.latency.ack)],
  ["send → peer's message:new (p50 / p95 / p99 ms)", (r) => latencyCell(r.latency.delivery)],
  [
    `throughput, ${2 * PAIRS} senders × ${MESSAGES_PER_SENDER}, ${WINDOW} in flight each (msg/s)`,
    (r) => {
      const rate = r.load.total / r.load.seconds;
      return { text: rate.toFixed(0), value: rate };
    },
  ],
  ["ack latency under that load (p50 / p95 / p99 ms)", (r) => latencyCell(r.load.ack)],
  [
    "server CPU per message, nodes with clients (ms)",
    (r) => {
      const ms = (r.load.cpuSeconds * 1000) / r.load.total;
      return { text: ms.toFixed(3), value: ms };
    },
  ],
  [
    "CPU per message on a node without clients (ms)",
    (r) => {
      const ms = (r.load.bystanderCpuSeconds * 1000) / r.load.total;
      return { text: Number.isNaN(ms) ? "–" : ms.toFixed(3), value: ms };
    },
  ],
  [
    "server CPU busy during that load (cores per node)",
    (r) => {
      const cores = r.load.cpuSeconds / r.load.seconds / r.nodes;
      return { text: cores.toFixed(2), value: cores };
    },
  ],
  [
    `resident memory per idle socket, ${IDLE_SOCKETS} sockets (KiB)`,
    (r) => {
      const kib = r.rssPerSocketBytes / 1024;
      return { text: kib.toFixed(1), value: kib };
    },
  ],
  ["GET newest 50 messages (p50 / p95 / p99 ms)", (r) => latencyCell(r.history.page)],
  ["GET 500 messages afterSeq=0 (p50 / p95 / p99 ms)", (r) => latencyCell(r.history.catchUp)],
];

const results: Result[] = [];
for (const target of targets) {
  console.error(`benchmarking ${TARGETS[target]}…`);
  const deployment = await startDeployment(target);
  try {
    results.push(await benchmark(deployment));
  } finally {
    await deployment.stop();
  }
}

// The last deployment against the first: with the defaults, the cluster against one SQLite node.
const compare = targets.length > 1;
const header = targets.map((t) => TARGETS[t]);
if (compare) header.push(`${targets[targets.length - 1]} ÷ ${targets[0]}`);
console.log(`\nParley messaging benchmark — ${PAIRS} pairs, ${2 * PAIRS} sockets, Node ${process.version}\n`);
console.log(`| measure | ${header.join(" | ")} |`);
console.log(`|---|${header.map(() => "---|").join("")}`);
for (const [label, cellOf] of rows) {
  const cells = results.map(cellOf);
  const texts = cells.map((c) => c.text);
  if (compare) {
    const ratio = cells[cells.length - 1]!.value / cells[0]!.value;
    texts.push(Number.isNaN(ratio) ? "–" : ratio.toFixed(2));
  }
  console.log(`| ${label} | ${texts.join(" | ")} |`);
}
