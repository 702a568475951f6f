// Messaging benchmark: the real server (child process, SQLite in a temp dir)
// driven by real socket.io-client clients over loopback.
//   npm run bench                       defaults below
//   BENCH_PAIRS=20 BENCH_MESSAGES=500 npm run bench
// Prints a Markdown table; docs/benchmarks.md records the numbers of a run.
import { performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";
import type { AuthResponse, ClientToServerEvents, Message, ServerToClientEvents } from "../shared/protocol";
import { startServerProcess } from "../scripts/server-process";

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const PAIRS = Number(process.env.BENCH_PAIRS ?? 10);
const MESSAGES_PER_SENDER = Number(process.env.BENCH_MESSAGES ?? 200);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 500);
/** Sends in flight per client during the throughput phase. */
const WINDOW = 10;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summarize(samplesMs: number[]): string {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return [50, 95, 99].map((p) => percentile(sorted, p).toFixed(2)).join(" / ");
}

const server = await startServerProcess({
  SEND_RATE_BURST: "100000",
  SEND_RATE_PER_SEC: "100000",
  REGISTER_RATE_PER_HOUR: "100000",
  LOGIN_RATE_PER_MIN: "100000",
  EVENT_RATE_BURST: "100000",
  EVENT_RATE_PER_SEC: "100000",
  MAX_SOCKETS_PER_USER: "100000",
});
const { baseURL } = server;
const sockets: ClientSocket[] = [];

async function register(name: string): Promise<AuthResponse> {
  const response = await fetch(`${baseURL}/api/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: name, password: "benchmark-password" }),
  });
  if (!response.ok) throw new Error(`register ${name}: ${response.status}`);
  return (await response.json()) as AuthResponse;
}

async function connect(auth: AuthResponse): Promise<ClientSocket> {
  const socket: ClientSocket = io(baseURL, { auth: { token: auth.token }, transports: ["websocket"], forceNew: true });
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
  const [sa, sb] = await Promise.all([connect(a), connect(b)]);
  await sa.emitWithAck("conversation:join", { peerId: b.user.id });
  await sb.emitWithAck("conversation:join", { peerId: a.user.id });
  return { a, b, sa, sb };
}

/** One message at a time: ack latency at the sender, delivery latency at the receiver. */
async function measureLatency(pair: Pair): Promise<{ ack: number[]; delivery: number[] }> {
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

/** Every client of every pair sends at once, WINDOW sends in flight each. */
async function measureThroughput(pairs: Pair[]): Promise<{ total: number; seconds: number; ack: number[] }> {
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
  const started = performance.now();
  await Promise.all(pairs.flatMap((p) => [sender(p.sa, p.b.user.id), sender(p.sb, p.a.user.id)]));
  const seconds = (performance.now() - started) / 1000;
  return { total: ack.length, seconds, ack };
}

/** History reads over HTTP: the newest page, and a 500-message catch-up. */
async function measureHistory(pair: Pair): Promise<{ page: number[]; catchUp: number[] }> {
  const page: number[] = [];
  const catchUp: number[] = [];
  const headers = { authorization: `Bearer ${pair.a.token}` };
  const path = `${baseURL}/api/conversations/${pair.b.user.id}/messages`;
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
  const latency = await measureLatency(pairs[0]!);
  const load = await measureThroughput(pairs);
  const history = await measureHistory(pairs[0]!);

  console.log(`\nParley messaging benchmark — ${PAIRS} pairs, ${2 * PAIRS} sockets, Node ${process.version}\n`);
  console.log("| measure | result |");
  console.log("|---|---|");
  console.log(`| ack latency, one at a time (p50 / p95 / p99 ms, n=${LATENCY_SAMPLES}) | ${summarize(latency.ack)} |`);
  console.log(`| send → peer's message:new (p50 / p95 / p99 ms) | ${summarize(latency.delivery)} |`);
  console.log(
    `| throughput, ${2 * PAIRS} senders × ${MESSAGES_PER_SENDER}, ${WINDOW} in flight each | ${(load.total / load.seconds).toFixed(0)} messages/s (${load.total} in ${load.seconds.toFixed(2)} s) |`,
  );
  console.log(`| ack latency under that load (p50 / p95 / p99 ms) | ${summarize(load.ack)} |`);
  console.log(`| GET newest 50 messages (p50 / p95 / p99 ms) | ${summarize(history.page)} |`);
  console.log(`| GET 500 messages afterSeq=0 (p50 / p95 / p99 ms) | ${summarize(history.catchUp)} |`);
} finally {
  for (const socket of sockets) socket.disconnect();
  await server.stop();
}
