// Times the conversation list's store calls in-process, in CPU time per call: the totals and the
// first page of the bench's user with BENCH_LIST_CONVERSATIONS conversations (bench/seed.ts), with
// the long conversation of BENCH_HISTORY_MESSAGES beside it as in `npm run bench`. No HTTP and no
// other load: what the list's queries and their rows cost.
//   npx tsx bench/list-store.ts
//   BENCH_BASELINE=../other-checkout npx tsx bench/list-store.ts
// With BENCH_BASELINE (another checkout of Parley), that checkout's store is timed beside this one,
// each on a database seeded by its own code, call by call in turn, so a busy spell of the machine
// falls on both alike.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Store } from "../server/src/store";
import type * as SqliteModule from "../server/src/store/sqlite";
import type * as SeedModule from "./seed";

type Checkout = { seed: typeof SeedModule; sqlite: typeof SqliteModule };

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const LIST_CONVERSATIONS = env("BENCH_LIST_CONVERSATIONS", 1000);
const HISTORY_MESSAGES = env("BENCH_HISTORY_MESSAGES", 1_000_000);
const CALLS = env("BENCH_LIST_CALLS", 1000);
const PAGE = 50;

async function checkoutAt(root: string): Promise<Checkout> {
  return {
    seed: (await import(join(root, "bench/seed.ts"))) as Checkout["seed"],
    sqlite: (await import(join(root, "server/src/store/sqlite.ts"))) as Checkout["sqlite"],
  };
}

async function openSeeded({ seed, sqlite }: Checkout) {
  const dataDir = mkdtempSync(join(tmpdir(), "parley-list-store-"));
  const seeded = await seed.seedDatabase(dataDir, {
    loaders: 2,
    idle: 0,
    historyMessages: HISTORY_MESSAGES,
    listConversations: LIST_CONVERSATIONS,
  });
  return { store: await sqlite.createSqliteStore(dataDir), userId: seeded.wide.id, dataDir };
}

const checkouts: Record<string, Checkout> = { this: await checkoutAt(resolve(import.meta.dirname, "..")) };
if (process.env.BENCH_BASELINE) checkouts.baseline = await checkoutAt(resolve(process.env.BENCH_BASELINE));

const calls: Record<string, () => Promise<unknown>> = {};
const opened: Array<{ store: Store; dataDir: string }> = [];
for (const [name, checkout] of Object.entries(checkouts)) {
  console.error(`${name}: seeding…`);
  const { store, userId, dataDir } = await openSeeded(checkout);
  opened.push({ store, dataDir });
  const now = new Date().toISOString();
  calls[`${name}: totals`] = () => store.conversationTotals(userId, now);
  calls[`${name}: first page of ${PAGE}`] = () => store.listConversationPage(userId, { limit: PAGE });
}

try {
  const times: Record<string, number[]> = {};
  for (let i = 0; i < CALLS + 50; i++) {
    for (const [name, call] of Object.entries(calls)) {
      const start = process.cpuUsage();
      await call();
      const { user, system } = process.cpuUsage(start);
      // The first 50 rounds warm the statements and the page cache.
      if (i >= 50) (times[name] ??= []).push((user + system) / 1000);
    }
  }
  console.log(`| store call, CPU ms (${CALLS} calls) | p25 | median | p90 | p99 |`);
  console.log("|---|---|---|---|---|");
  for (const [name, values] of Object.entries(times)) {
    values.sort((a, b) => a - b);
    const at = (q: number) => values[Math.floor(values.length * q)]!.toFixed(2);
    console.log(`| ${name} | ${at(0.25)} | ${at(0.5)} | ${at(0.9)} | ${at(0.99)} |`);
  }
} finally {
  for (const { store, dataDir } of opened) {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
