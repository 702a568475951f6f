// What one account asking for large answers on many connections at once does to everyone else's reads:
// a reader's history pages (one at a time, client-side latency) alone, then beside HOSTILE connections of
// one account asking again and again from another process. Over HTTP (the default), a user with 1,000
// conversations asks for its whole list; over sockets (BENCH_HOSTILE_VIA=socket), the reader's peer
// joins their conversation from its start (500 messages a page), as fast as its event limits let it.
//   npx tsx bench/hostile-reads.ts
//   BENCH_HOSTILE_CONNECTIONS=1 npx tsx bench/hostile-reads.ts
//   BENCH_HOSTILE_VIA=socket npx tsx bench/hostile-reads.ts
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { io } from "socket.io-client";
import { startServerProcess } from "../scripts/server-process";
import { seedDatabase } from "./seed";
import { percentile } from "./stats";

const CONNECTIONS = Number(process.env.BENCH_HOSTILE_CONNECTIONS ?? 16);
const VIA = process.env.BENCH_HOSTILE_VIA === "socket" ? "socket" : "http";
const MEASURE_MS = 5000;

// In the child process: the hostile loops, for `ms`, then how many answers of each status.
if (process.argv[2] === "hostile") {
  const [, , , via, baseURL, token, peerId, connections, ms] = process.argv;
  const answers: Record<string, number> = {};
  const count = (answer: string | number) => (answers[answer] = (answers[answer] ?? 0) + 1);
  const end = Date.now() + Number(ms);
  const overHttp = async () => {
    while (Date.now() < end) {
      const response = await fetch(`${baseURL}/api/conversations`, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      count(response.status);
    }
  };
  type JoinAck = { ok: boolean; error?: { code: string; retryAfterMs?: number } };
  const overSocket = async () => {
    const socket = io(baseURL, { auth: { token }, transports: ["websocket"], forceNew: true, reconnection: false });
    while (Date.now() < end) {
      const ack = (await socket.emitWithAck("conversation:join", { peerId, afterSeq: 0 })) as JoinAck;
      count(ack.ok ? "ok" : ack.error!.code);
      if (ack.error?.retryAfterMs) await sleep(ack.error.retryAfterMs);
    }
    socket.close();
  };
  await Promise.all(Array.from({ length: Number(connections) }, via === "socket" ? overSocket : overHttp));
  console.log(`| the hostile user's answers | ${JSON.stringify(answers)} |`);
  process.exit(0);
}

const dataDir = mkdtempSync(join(tmpdir(), "parley-hostile-"));
const seed = await seedDatabase(dataDir, { loaders: 2, idle: 0, historyMessages: 10_000, listConversations: 1000 });
const server = await startServerProcess({ DATA_DIR: dataDir });
const [sender, reader] = seed.history;

/** The reader's history pages for `ms`, one at a time: client-side latency. */
async function readPages(ms: number): Promise<string> {
  const times: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const beforeSeq = 51 + Math.floor(Math.random() * 9_900);
    const started = performance.now();
    const response = await fetch(`${server.baseURL}/api/conversations/${sender.id}/messages?beforeSeq=${beforeSeq}`, {
      headers: { authorization: `Bearer ${reader.token}` },
    });
    await response.text();
    if (!response.ok) throw new Error(`history: ${response.status}`);
    times.push(performance.now() - started);
  }
  const at = (p: number) => percentile(times, p).toFixed(1);
  return `${times.length} pages, p50 ${at(50)}, p99 ${at(99)}, max ${Math.max(...times).toFixed(1)}`;
}

try {
  await readPages(3000); // warm-up
  console.log("| a reader's history pages (ms) | |\n|---|---|");
  console.log(`| alone | ${await readPages(MEASURE_MS)} |`);
  const hostile = spawn(
    process.execPath,
    [
      ...["--import", "tsx", import.meta.filename, "hostile", VIA, server.baseURL],
      // Over sockets the reader's peer, who can join their long conversation.
      ...(VIA === "socket" ? [sender.token, reader.id] : [seed.wide.token, ""]),
      ...[String(CONNECTIONS), "8000"],
    ],
    { stdio: "inherit" },
  );
  const exited = new Promise((resolve) => hostile.once("exit", resolve));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const asking =
    VIA === "socket" ? "sockets joining 500-message pages" : "connections asking for a list of 1,000 conversations";
  console.log(`| beside ${CONNECTIONS} ${asking} | ${await readPages(MEASURE_MS)} |`);
  await exited;
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
