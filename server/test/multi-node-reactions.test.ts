import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReactionPayload } from "../../shared/protocol";
import { findRedisServer, startRedis } from "../../scripts/redis";
import type { RunningRedis } from "../../scripts/redis";
import {
  collect,
  connectClient,
  emitAck,
  messageBarrier,
  readTable,
  registerUser,
  sendMessage,
  startServer,
} from "./helpers";
import type { ClientSocket, TestServer } from "./helpers";

// Two nodes on one PostgreSQL database and one Redis: only the database and Redis can settle what
// the nodes do at once.
const redisServer = findRedisServer();
if (!redisServer && process.env.CI === "true") throw new Error("redis-server is not installed");

let redis: RunningRedis;
let nodes: [TestServer, TestServer];

beforeAll(async () => {
  redis = await startRedis(redisServer!);
  // A burst of 3 and a slow refill, so the shared limit is reached at once and stays reached.
  const env = { REDIS_URL: redis.url, SEND_RATE_BURST: "1000", REACTION_RATE_BURST: "3", REACTION_RATE_PER_SEC: "1" };
  const first = await startServer(env);
  nodes = [first, await startServer({ ...env, DATABASE_URL: first.config.databaseUrl! })];
});

afterAll(async () => {
  for (const node of nodes ?? []) await node.close();
  await redis?.stop();
});

const add = (socket: ClientSocket, payload: ReactionPayload) => emitAck(socket, "reaction:add", payload);

describe.skipIf(!redisServer)("reactions on several nodes", () => {
  it("store one reaction and tell once when one user adds it through both nodes at once", async () => {
    const [kim, lee] = await Promise.all([registerUser(nodes[0]), registerUser(nodes[1])]);
    const [kimA, kimB, leeA] = await Promise.all([
      connectClient(nodes[0], kim.token),
      connectClient(nodes[1], kim.token),
      connectClient(nodes[0], lee.token),
    ]);
    const message = await sendMessage(leeA, kim.user.id, "tap tap");
    const updates = collect(leeA, "message:updated");

    const acks = await Promise.all([kimA, kimB].map((socket) => add(socket, { messageId: message.id, emoji: "🙌" })));
    expect(acks.map((ack) => ack.ok && ack.message?.reactions)).toEqual([
      [{ emoji: "🙌", userIds: [kim.user.id] }],
      [{ emoji: "🙌", userIds: [kim.user.id] }],
    ]);
    await messageBarrier(kimA, lee.user.id, [leeA]);
    expect(updates).toHaveLength(1);
    const rows = (await readTable(nodes[0], "message_reactions")).filter((r) => r.message_id === message.id);
    expect(rows).toHaveLength(1);
  });

  it("keep both of two users' different emoji added through two nodes at once", async () => {
    const [kim, lee] = await Promise.all([registerUser(nodes[0]), registerUser(nodes[1])]);
    const [kimA, leeB] = await Promise.all([connectClient(nodes[0], kim.token), connectClient(nodes[1], lee.token)]);
    const message = await sendMessage(kimA, lee.user.id, "both");
    await Promise.all([
      add(kimA, { messageId: message.id, emoji: "🅰️" }),
      add(leeB, { messageId: message.id, emoji: "🅱️" }),
    ]);
    const stored = await nodes[1].store.findMessageById(message.id);
    expect(stored?.reactions).toHaveLength(2);
    expect(stored?.reactions).toEqual(
      expect.arrayContaining([
        { emoji: "🅰️", userIds: [kim.user.id] },
        { emoji: "🅱️", userIds: [lee.user.id] },
      ]),
    );
  });

  it("spend one reaction bucket per user across nodes", async () => {
    const [kim, lee] = await Promise.all([registerUser(nodes[0]), registerUser(nodes[1])]);
    const [onA, onB] = await Promise.all([connectClient(nodes[0], kim.token), connectClient(nodes[1], kim.token)]);
    const message = await sendMessage(onA, lee.user.id, "counted once");
    for (const [socket, emoji] of [
      [onA, "1️⃣"],
      [onB, "2️⃣"],
      [onA, "3️⃣"],
    ] as const) {
      expect((await add(socket, { messageId: message.id, emoji })).ok).toBe(true);
    }
    for (const socket of [onB, onA]) {
      const limited = await add(socket, { messageId: message.id, emoji: "4️⃣" });
      expect(limited).toMatchObject({ ok: false, error: { code: "RATE_LIMITED" } });
      expect(!limited.ok && limited.error.retryAfterMs).toBeGreaterThan(0);
      expect(!limited.ok && limited.error.retryAfterMs).toBeLessThanOrEqual(1000);
    }
  });
});
