// The steady load's sends as the store receives them, for the benchmarks that time the store
// in-process (send-store.ts, store-floor.ts).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newMessageId, nowIso } from "../server/src/lib/ids";
import type { NewMessage } from "../server/src/store/types";
import { conversationIdFor } from "../shared/protocol";
import { BODY, seedDatabase } from "./seed";

/** The steady load's pairs: 1,000 clients, two to a pair. */
export const STEADY_PAIRS = 500;

/** A fresh data directory whose database is seeded as the bench seeds it, with the steady load's users. */
export async function seedSteadyDatabase(name: string): Promise<{ dataDir: string; userIds: string[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), `parley-${name}-`));
  const { loaders } = await seedDatabase(dataDir, {
    loaders: STEADY_PAIRS * 2,
    idle: 0,
    historyMessages: 1000,
    listConversations: 0,
  });
  return { dataDir, userIds: loaders.map((user) => user.id) };
}

/** `size` new messages, each in a random one of the pairs of `userIds` (taken two by two), from a random side. */
export function steadyBatch(userIds: readonly string[], size: number): NewMessage[] {
  const pairs = Math.floor(userIds.length / 2);
  return Array.from({ length: size }, () => {
    const pair = Math.floor(Math.random() * pairs);
    const [a, b] = [userIds[2 * pair]!, userIds[2 * pair + 1]!];
    const [userA, userB] = a < b ? [a, b] : [b, a];
    return {
      id: newMessageId(),
      conversationId: conversationIdFor(a, b),
      userA,
      userB,
      senderId: Math.random() < 0.5 ? a : b,
      clientId: crypto.randomUUID(),
      body: BODY,
      createdAt: nowIso(),
    };
  });
}

/** The process's CPU microseconds so far, every thread's. */
export function processCpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}
