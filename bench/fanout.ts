// Fan-out: a group of BENCH_FANOUT_MEMBERS members (one socket each) where
// BENCH_FANOUT_SENDERS of them send, beside the same senders in one-to-one
// conversations on the same server, and beside the bare relay broadcasting
// to a room of the same members. The three loads take turns in each run, so
// the machine's noise hits them alike; only ratios within a run mean anything.
// Every message's latency is measured from its send to each socket that gets
// it (the sender's echo included), all in this one process.
//   npm run bench:fanout
//   BENCH_FANOUT_RATE=5 BENCH_FANOUT_RUNS=3 npm run bench:fanout
import { fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";
import { groupConversationId, type AuthResponse, type GroupResponse, type Message } from "../shared/protocol";
import { startServerProcess } from "../scripts/server-process";
import { UNLIMITED } from "./deployments";
import { median, percentile } from "./stats";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const MEMBERS = env("BENCH_FANOUT_MEMBERS", 100);
const SENDERS = env("BENCH_FANOUT_SENDERS", 10);
/** Messages per second from each sender. */
const RATE = env("BENCH_FANOUT_RATE", 2);
const DURATION_S = env("BENCH_FANOUT_DURATION_S", 10);
const RUNS = env("BENCH_FANOUT_RUNS", 3);
/** How long a load waits for its last deliveries before counting the rest lost. */
const DRAIN_MS = 10_000;
const OUTPUT =
  process.env.BENCH_OUTPUT ?? `bench/results/fanout-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;

type LoadName = "relay group" | "Parley group" | "Parley one-to-one";
type Member = { id: string; token: string; socket: Socket };
/** Who a load's senders send to: a payload per sender, and how many sockets get each of its messages. */
type Load = { name: LoadName; members: Member[]; payloadFor(sender: number): object; recipients: number };
type Result = {
  load: LoadName;
  run: number;
  sent: number;
  acked: number;
  delivered: number;
  lost: number;
  deliveredPerSecond: number;
  p50Ms: number;
  p99Ms: number;
};

async function post<T>(url: string, body: object, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function connect(url: string, auth: object): Promise<Socket> {
  const socket = io(url, { transports: ["websocket"], auth, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

function ack(socket: Socket, event: string, payload: object): Promise<{ ok: boolean; error?: unknown }> {
  return socket.timeout(10_000).emitWithAck(event, payload) as Promise<{ ok: boolean; error?: unknown }>;
}

async function startRelay(): Promise<{ url: string; stop(): void }> {
  const child = fork("bench/relay.ts", [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const { port } = await new Promise<{ port: number }>((resolve) => child.once("message", (m) => resolve(m as never)));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.disconnect() };
}

/** Parley's members, registered and connected, and the group they are all in. */
async function parleyMembers(url: string): Promise<{ members: Member[]; groupId: string }> {
  const members: Member[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const { token, user } = await post<AuthResponse>(`${url}/api/auth/register`, {
      username: `fan${i}-${randomUUID().slice(0, 8)}`,
      password: "fan-out-password",
    });
    members.push({ id: user.id, token, socket: await connect(url, { token }) });
  }
  const [owner, ...others] = members;
  const { group } = await post<GroupResponse>(
    `${url}/api/groups`,
    { clientId: randomUUID(), name: "Fan-out", memberIds: others.map((m) => m.id) },
    owner!.token,
  );
  return { members, groupId: group.id };
}

async function relayMembers(url: string, conversationId: string): Promise<Member[]> {
  const members: Member[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const id = `fan${i}`;
    const socket = await connect(url, { userId: id });
    await ack(socket, "conversation:join", { conversationId });
    members.push({ id, token: "", socket });
  }
  return members;
}

/** Sends RATE msg/s from each of the first SENDERS members for DURATION_S, then waits for every delivery. */
async function measure(load: Load, run: number): Promise<Result> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const onMessage = (message: Message) => {
    const at = sentAt.get(message.clientId);
    if (at !== undefined) latencies.push(performance.now() - at);
  };
  for (const { socket } of load.members) socket.on("message:new", onMessage);

  let acked = 0;
  const started = performance.now();
  const timers = load.members.slice(0, SENDERS).map((member, sender) =>
    setInterval(() => {
      const clientId = randomUUID();
      sentAt.set(clientId, performance.now());
      void ack(member.socket, "message:send", { ...load.payloadFor(sender), clientId, body: "fan-out" }).then(
        (response) => response.ok && acked++,
        () => undefined,
      );
    }, 1000 / RATE),
  );
  await new Promise((resolve) => setTimeout(resolve, DURATION_S * 1000));
  for (const timer of timers) clearInterval(timer);
  const sendingSeconds = (performance.now() - started) / 1000;
  const expected = () => sentAt.size * load.recipients;
  const drainUntil = performance.now() + DRAIN_MS;
  while (latencies.length < expected() && performance.now() < drainUntil) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const { socket } of load.members) socket.off("message:new", onMessage);

  return {
    load: load.name,
    run,
    sent: sentAt.size,
    acked,
    delivered: latencies.length,
    lost: expected() - latencies.length,
    deliveredPerSecond: latencies.length / sendingSeconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

async function main() {
  if (SENDERS * 2 > MEMBERS) throw new Error("BENCH_FANOUT_SENDERS must be at most half of BENCH_FANOUT_MEMBERS");
  const parley = await startServerProcess(UNLIMITED);
  const relay = await startRelay();
  try {
    const { members, groupId } = await parleyMembers(parley.baseURL);
    const relayGroup = `grp:bench`;
    const loads: Load[] = [
      {
        name: "relay group",
        members: await relayMembers(relay.url, relayGroup),
        payloadFor: () => ({ conversationId: relayGroup }),
        recipients: MEMBERS,
      },
      {
        name: "Parley group",
        members,
        payloadFor: () => ({ conversationId: groupConversationId(groupId) }),
        recipients: MEMBERS,
      },
      {
        // Sender i writes to member SENDERS + i: the peer and the sender's own echo get each message.
        name: "Parley one-to-one",
        members,
        payloadFor: (sender) => ({ peerId: members[SENDERS + sender]!.id }),
        recipients: 2,
      },
    ];
    const results: Result[] = [];
    for (let run = 1; run <= RUNS; run++) {
      for (const load of loads) {
        const result = await measure(load, run);
        results.push(result);
        console.log(JSON.stringify(result));
      }
    }
    report(results);
    mkdirSync("bench/results", { recursive: true });
    writeFileSync(OUTPUT, JSON.stringify({ MEMBERS, SENDERS, RATE, DURATION_S, RUNS, results }, null, 2));
    console.log(`written to ${OUTPUT}`);
    for (const load of loads) for (const { socket } of load.members) socket.disconnect();
  } finally {
    relay.stop();
    await parley.stop();
  }
}

/** The median of each figure over the runs, and Parley's group beside the relay and beside one-to-one. */
function report(results: Result[]) {
  const of = (load: LoadName, figure: "deliveredPerSecond" | "p50Ms" | "p99Ms" | "lost") =>
    median(results.filter((r) => r.load === load).map((r) => r[figure]));
  console.log(
    `\n${MEMBERS} members, ${SENDERS} senders at ${RATE} msg/s each, ${DURATION_S} s × ${RUNS} runs (medians)`,
  );
  console.log("load                | delivered/s | p50 ms | p99 ms | lost");
  for (const load of ["relay group", "Parley group", "Parley one-to-one"] as const) {
    const row = [of(load, "deliveredPerSecond").toFixed(0), of(load, "p50Ms").toFixed(2), of(load, "p99Ms").toFixed(2)];
    console.log(`${load.padEnd(19)} | ${row.join(" | ")} | ${of(load, "lost")}`);
  }
  const ratio = (figure: "deliveredPerSecond" | "p99Ms", base: LoadName) =>
    (of("Parley group", figure) / of(base, figure)).toFixed(2);
  console.log(
    `Parley group ÷ relay group: delivered ${ratio("deliveredPerSecond", "relay group")}×, p99 ${ratio("p99Ms", "relay group")}×`,
  );
  console.log(`Parley group p99 ÷ Parley one-to-one p99: ${ratio("p99Ms", "Parley one-to-one")}×`);
}

await main();
