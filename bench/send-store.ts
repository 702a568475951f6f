// Times the send path's store in-process: appendMessages in batches as the server writes them under
// the bench's steady load (500 pairs, each message from one of a random pair), in CPU time per message.
// No sockets and no other work: what storing a message costs at best, the WAL checkpointer's thread
// included. Rounds alternate between batches written one after another, the CPU caches as the last
// batch left them ("warm"), and batches each after BENCH_POLLUTE_MB of other memory was walked
// ("cold"), as a server's socket work between two batches evicts the store's pages and indexes.
//   npx tsx bench/send-store.ts
//   BENCH_SEND_BATCH=250 BENCH_POLLUTE_MB=64 npx tsx bench/send-store.ts
import { rmSync } from "node:fs";
import { createSqliteStore } from "../server/src/store/sqlite";
import type { NewMessage } from "../server/src/store/types";
import { median } from "./stats";
import { processCpuMicros, seedSteadyDatabase, steadyBatch } from "./steady-sends";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const BATCH = env("BENCH_SEND_BATCH", 250);
// About four seconds of writes a round: at least one checkpoint (every 3 s) falls in each.
const BATCHES_PER_ROUND = env("BENCH_SEND_BATCHES", 120);
const ROUNDS = env("BENCH_SEND_ROUNDS", 3);
const POLLUTE_BYTES = env("BENCH_POLLUTE_MB", 64) * 1024 * 1024;

const { dataDir, userIds } = await seedSteadyDatabase("send-store");
const store = await createSqliteStore(dataDir);

/** One batch, then a turn of the event loop as the server's batcher gives: the checkpointer's messages
 * arrive there, and without them the log is never started over (it grew to gigabytes here). */
async function writeBatch(messages: NewMessage[]): Promise<void> {
  await store.appendMessages(messages);
  await new Promise((resolve) => setImmediate(resolve));
}

const elsewhere = Buffer.alloc(POLLUTE_BYTES);
/** Walks `elsewhere` a cache line at a time, evicting what the store left in the caches. */
function walkElsewhere() {
  for (let i = 0; i < elsewhere.length; i += 64) elsewhere[i] = (elsewhere[i]! + 1) & 0xff;
}

/**
 * CPU microseconds a message over one round of batches, the checkpointer's share included: a round
 * lasts longer than the checkpoint interval. A cold round's walks are timed apart and taken off.
 */
async function round(cold: boolean): Promise<number> {
  const batches = Array.from({ length: BATCHES_PER_ROUND }, () => steadyBatch(userIds, BATCH));
  let walks = 0;
  const start = processCpuMicros();
  for (const messages of batches) {
    if (cold) {
      const before = processCpuMicros();
      walkElsewhere();
      walks += processCpuMicros() - before;
    }
    await writeBatch(messages);
  }
  return (processCpuMicros() - start - walks) / (BATCHES_PER_ROUND * BATCH);
}

// Warm-up: 25,000 messages before the first round.
for (let i = 0; i < 100; i++) await writeBatch(steadyBatch(userIds, BATCH));
const warm: number[] = [];
const cold: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  warm.push(await round(false));
  cold.push(await round(true));
}
await store.close();
rmSync(dataDir, { recursive: true, force: true });

const show = (values: number[]) => values.map((v) => v.toFixed(1)).join(", ");
console.log(`appendMessages, batches of ${BATCH}, ${ROUNDS} rounds of ${BATCHES_PER_ROUND} batches each way`);
console.log(`| caches | CPU µs a message, median | rounds |\n|---|---|---|`);
console.log(`| warm | ${median(warm).toFixed(1)} | ${show(warm)} |`);
console.log(
  `| cold (${POLLUTE_BYTES / 1024 / 1024} MB walked between batches) | ${median(cold).toFixed(1)} | ${show(cold)} |`,
);
