import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { groupConversationId } from "../../shared/protocol";
import type { GroupResponse, Message } from "../../shared/protocol";
import {
  fetchAllMessages,
  freePort,
  http,
  killServerProcesses,
  newClientId,
  registerUser,
  startServer,
  startServerProcess,
} from "./helpers";
import type { TestUser } from "./helpers";
import { createReliableClient, expectEveryClientHoldsWhatIsStored } from "./reliable-client";
import type { ReliableClient } from "./reliable-client";

// The delivery and crash guarantees of one-to-one chat (delivery.test.ts, crash-storm.test.ts), in a
// group of five: every acked message reaches every tab of every member exactly once, in seq order.

const MEMBERS = 5;
const PER_MEMBER = 40;
/** Sends each member keeps awaiting their ack at once. */
const WINDOW = 4;
const ENV = { SEND_RATE_BURST: "100000", SEND_RATE_PER_SEC: "100000" };

const clients: ReliableClient[] = [];
let dataDir = "";
afterAll(async () => {
  for (const client of clients) client.close();
  await killServerProcesses();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Five users, the first of whom creates the group of all of them; its conversation id. */
async function groupOfFive(server: { url: string }): Promise<{ users: TestUser[]; conversationId: string }> {
  const users: TestUser[] = [];
  for (let i = 0; i < MEMBERS; i++) users.push(await registerUser(server));
  const created = await http<GroupResponse>(server, "POST", "/api/groups", {
    token: users[0]!.token,
    body: { clientId: newClientId(), name: "Five", memberIds: users.slice(1).map((u) => u.user.id) },
  });
  expect(created.status).toBe(201);
  return { users, conversationId: groupConversationId(created.body.group.id) };
}

function tab(url: string, user: TestUser, conversationId: string, websocketOnly: boolean): ReliableClient {
  const client = createReliableClient({
    url,
    token: user.token,
    selfId: user.user.id,
    peerIds: [conversationId],
    transports: websocketOnly ? ["websocket"] : ["polling", "websocket"],
  });
  clients.push(client);
  return client;
}

/** Each sender sends PER_MEMBER messages to the group, WINDOW at a time; `onAck` runs after each ack. */
function sendFromEach(senders: ReliableClient[], conversationId: string, onAck: () => void): Promise<unknown> {
  return Promise.all(
    senders.map((client, i) => {
      let next = 0;
      const worker = async () => {
        while (next < PER_MEMBER) {
          const n = next++;
          await client.send(conversationId, `member ${i} says ${n}`);
          onAck();
        }
      };
      return Promise.all(Array.from({ length: WINDOW }, worker));
    }),
  );
}

function expectGaplessOnce(stored: Message[]): void {
  // Seq 1 is the group's `created` system message; then every member's sends.
  expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: stored.length }, (_, k) => k + 1));
  expect(stored[0]).toMatchObject({ kind: "system", system: { action: "created" } });
  const texts = stored.filter((m) => m.kind === "text");
  expect(texts).toHaveLength(MEMBERS * PER_MEMBER);
  expect(new Set(texts.map((m) => `${m.senderId}/${m.clientId}`)).size).toBe(texts.length);
}

describe("a group of five", () => {
  it("delivers every message to every tab exactly once and in seq order, through forced disconnects", async () => {
    const server = await startServer(ENV);
    try {
      const { users, conversationId } = await groupOfFive(server);
      // Every member has a tab; the first two have a second one, each on the other transport.
      const firstTabs = users.map((user, i) => tab(server.url, user, conversationId, i % 2 === 1));
      const secondTabs = users.slice(0, 2).map((user, i) => tab(server.url, user, conversationId, i % 2 === 0));
      const tabs = [...firstTabs, ...secondTabs];
      await Promise.all(tabs.map((t) => t.whenReady()));

      let acked = 0;
      let forced = 0;
      const disconnects: Promise<void>[] = [];
      const onAck = () => {
        // Every 30 acks one tab loses its connection: server side and transport side in turn.
        if (++acked % 30 !== 0) return;
        const victim = tabs[forced % tabs.length]!;
        const serverSide = forced++ % 2 === 0;
        disconnects.push(
          victim.whenReady().then(() => {
            if (serverSide)
              server.app.io
                .of("/")
                .sockets.get(victim.socket.id ?? "")
                ?.disconnect();
            else victim.socket.io.engine.close();
          }),
        );
      };
      await sendFromEach(firstTabs, conversationId, onAck);
      await Promise.all(disconnects);

      const stored = await fetchAllMessages(server.url, users[0]!.token, conversationId);
      expectGaplessOnce(stored);
      await expectEveryClientHoldsWhatIsStored(tabs, new Map([[conversationId, stored]]));
      for (const t of tabs) {
        expect(t.stats.outOfOrder).toBe(0);
        expect(t.stats.repeatedBroadcasts).toBe(0);
        expect(t.stats.seqConflicts).toBe(0);
      }
      expect(forced).toBeGreaterThanOrEqual(5);
      console.log(
        `[group-reliability] members=${MEMBERS} tabs=${tabs.length} stored=${stored.length} forcedDisconnects=${forced} ` +
          `retries=${tabs.reduce((n, t) => n + t.stats.retries, 0)} ` +
          `duplicatesDroppedByClients=${tabs.reduce((n, t) => n + t.stats.duplicatesDropped, 0)}`,
      );
    } finally {
      await server.close();
    }
  }, 60_000);

  it("loses no acked message to kill -9 of the server, and every member catches up after the restart", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "parley-group-storm-"));
    // A fixed port: the restarted server must be where the clients reconnect by themselves.
    const port = await freePort();
    const first = await startServerProcess(dataDir, port, ENV);
    const { users, conversationId } = await groupOfFive(first);
    const tabs = users.map((user, i) => tab(first.url, user, conversationId, i % 2 === 1));
    await Promise.all(tabs.map((t) => t.whenReady()));

    let acked = 0;
    let ackedBeforeKill: Message[] = [];
    const onAck = () => {
      if (++acked !== (MEMBERS * PER_MEMBER) / 2) return;
      first.child.kill("SIGKILL");
      ackedBeforeKill = tabs.flatMap((t) => [...t.acked.values()]);
    };
    const sends = sendFromEach(tabs, conversationId, onAck);
    expect(await first.exited).toBeNull();
    const second = await startServerProcess(dataDir, port, ENV);
    await sends;

    const stored = await fetchAllMessages(second.url, users[0]!.token, conversationId);
    expectGaplessOnce(stored);
    const byId = new Map(stored.map((m) => [m.id, m]));
    expect(ackedBeforeKill.length).toBeGreaterThanOrEqual((MEMBERS * PER_MEMBER) / 2);
    for (const message of ackedBeforeKill) expect(byId.get(message.id)).toEqual(message);
    for (const message of tabs.flatMap((t) => [...t.acked.values()])) expect(byId.get(message.id)).toEqual(message);
    await expectEveryClientHoldsWhatIsStored(tabs, new Map([[conversationId, stored]]));
    for (const t of tabs) {
      expect(t.stats.connects).toBeGreaterThanOrEqual(2);
      expect(t.stats.outOfOrder).toBe(0);
      expect(t.stats.repeatedBroadcasts).toBe(0);
    }
  }, 60_000);
});
