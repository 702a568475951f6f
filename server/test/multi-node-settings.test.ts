import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationIdFor } from "../../shared/protocol";
import type { ConversationListResponse, SettingsResponse } from "../../shared/protocol";
import { findRedisServer, startRedis } from "../../scripts/redis";
import type { RunningRedis } from "../../scripts/redis";
import { collect, connectClient, http, messageBarrier, registerUser, startServer, waitFor } from "./helpers";
import type { TestServer } from "./helpers";

// v2 §9 on two nodes sharing one PostgreSQL database and one Redis: conversation:settings reaches the
// user's sockets on every node, through the adapter.
const redisServer = findRedisServer();
// CI installs redis-server, so there a missing one is a failure, not a skip.
if (!redisServer && process.env.CI === "true") throw new Error("redis-server is not installed");

let redis: RunningRedis;
let nodes: TestServer[] = [];

beforeAll(async () => {
  redis = await startRedis(redisServer!);
  const first = await startServer({ REDIS_URL: redis.url });
  nodes = [first, await startServer({ REDIS_URL: redis.url, DATABASE_URL: first.config.databaseUrl! })];
});

afterAll(async () => {
  for (const node of nodes) await node.close();
  await redis?.stop();
});

describe.skipIf(!redisServer)("notification settings on several nodes", () => {
  it("a change through one node reaches the user's sockets on every node, and nobody else's", async () => {
    const [one, two] = nodes as [TestServer, TestServer];
    const [alice, bob] = await Promise.all([registerUser(one), registerUser(one)]);
    const dm = conversationIdFor(alice.user.id, bob.user.id);
    const tabs = await Promise.all([connectClient(one, alice.token), connectClient(two, alice.token)]);
    const bobTabs = await Promise.all([connectClient(one, bob.token), connectClient(two, bob.token)]);
    const bobSaw = bobTabs.map((tab) => collect(tab, "conversation:settings"));

    const arrivals = tabs.map((tab) => waitFor(tab, "conversation:settings"));
    const res = await http<SettingsResponse>(two, "PUT", `/api/conversations/${bob.user.id}/settings`, {
      token: alice.token,
      body: { notify: "none" },
    });
    expect(res.body.settings).toEqual({ conversationId: dm, notify: "none", mutedUntil: null });
    expect(await Promise.all(arrivals)).toEqual([res.body.settings, res.body.settings]);

    await messageBarrier(tabs[0]!, bob.user.id, bobTabs);
    expect(bobSaw).toEqual([[], []]);

    // Both nodes store in one database: the other node lists the change.
    const listed = await http<ConversationListResponse>(one, "GET", "/api/conversations", { token: alice.token });
    expect(listed.body.conversations).toMatchObject([{ conversationId: dm, notify: "none", mutedUntil: null }]);
  });
});
