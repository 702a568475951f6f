import { io } from "socket.io-client";
import type { ManagerOptions, SocketOptions } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationIdFor, groupConversationId } from "../../shared/protocol";
import type { GroupResponse, Message } from "../../shared/protocol";
import { missingClusterTools, startCluster } from "../../scripts/cluster";
import type { Cluster } from "../../scripts/cluster";
import { NODE_COOKIE } from "../../scripts/nginx";
import { fetchAllMessages, http, newClientId, registerUser, sendMessage, waitFor } from "./helpers";
import type { ClientSocket, TestUser } from "./helpers";
import { createReliableClient, expectEveryClientHoldsWhatIsStored, sendStorm } from "./reliable-client";
import type { ReliableClient } from "./reliable-client";

// The cluster `npm run cluster` runs: PostgreSQL, Redis, two built nodes, nginx routing on a cookie.
const missing = missingClusterTools();
// CI installs all three, so there a missing one is a failure, not a skip.
if (missing.length && process.env.CI === "true") throw new Error(`the cluster needs ${missing.join(", ")}`);

/** Storm clients: the even ones pinned to node1 (killed), the odd ones to node2, so every conversation spans both. */
const CLIENTS = 12;
const PER_CLIENT = 30;
const WINDOW = 3;
const KILL_AFTER_ACKS = 120;
/** The group that spans both nodes, and how many messages each member sends to it. */
const GROUP_MEMBERS = 4;
const GROUP_PER_MEMBER = 20;
/** Users whose only socket is on node1 and who do not come back. */
const STRANDED = 2;
/** PROTOCOL.md: presence is sent within 10 s of a user's last socket going away. */
const PRESENCE_WINDOW_MS = 10_000;

let cluster: Cluster;
const sockets: ClientSocket[] = [];
const clients: ReliableClient[] = [];

beforeAll(async () => {
  cluster = await startCluster({
    logs: "ignore",
    env: {
      PRESENCE_GRACE_MS: "200",
      SCRYPT_LOG_N: "10",
      SEND_RATE_BURST: "100000",
      SEND_RATE_PER_SEC: "100000",
      REGISTER_RATE_PER_HOUR: "100000",
      LOGIN_RATE_PER_MIN: "100000",
    },
  });
  // A fresh clone builds the client and the server first.
}, 180_000);

afterAll(async () => {
  for (const client of clients) client.close();
  for (const socket of sockets) socket.disconnect();
  await cluster?.stop();
});

const pinTo = (node: string) => ({ cookie: `${NODE_COOKIE}=${node}` });

/** A plain socket through nginx that does not reconnect. */
function connectThroughNginx(token: string, options: Partial<ManagerOptions & SocketOptions>): Promise<ClientSocket> {
  const socket: ClientSocket = io(cluster.url, { auth: { token }, reconnection: false, forceNew: true, ...options });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

/** The node's own count of connected sockets (its /metrics, read directly, not through nginx). */
async function socketsOn(nodeUrl: string): Promise<number> {
  const text = await (await fetch(`${nodeUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("parley_sockets_connected "));
  return Number(line?.split(" ")[1]);
}

describe.skipIf(missing.length > 0)("a cluster behind nginx", () => {
  it("keeps every request of a long-polling client on one node, by the cookie nginx sets", async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => registerUser(cluster)));
    // withCredentials gives the Node client a cookie jar, as a browser has.
    const polling = await Promise.all(
      users.map((user) => connectThroughNginx(user.token, { transports: ["polling"], withCredentials: true })),
    );
    // Without stickiness, half the polls of a session would reach a node that does not know it.
    for (let n = 0; n < 5; n++) {
      for (const [from, to] of [
        [0, 1],
        [3, 2],
      ] as const) {
        const arrived = waitFor(polling[to]!, "message:new", (m) => m.body === `poll ${from}.${n}`);
        await sendMessage(polling[from]!, users[to]!.user.id, `poll ${from}.${n}`);
        await arrived;
      }
    }
    expect(polling.every((socket) => socket.connected && socket.io.engine.transport.name === "polling")).toBe(true);
    expect((await socketsOn(cluster.nodes[0]!.url)) + (await socketsOn(cluster.nodes[1]!.url))).toBe(users.length);
    for (const socket of polling) socket.disconnect();
  });

  it("moves its clients to the other node with every acked message delivered once, and shows its users offline", async () => {
    const startedAt = Date.now();
    const [node1, node2] = cluster.nodes as [Cluster["nodes"][number], Cluster["nodes"][number]];
    const users: TestUser[] = [];
    for (let i = 0; i < CLIENTS; i++) users.push(await registerUser(cluster));
    const onNode = (i: number) => (i % 2 === 0 ? node1.name : node2.name);
    const peersOf = (i: number) => [users[(i + 1) % CLIENTS]!, users[(i + CLIENTS - 1) % CLIENTS]!];
    for (const [i, user] of users.entries()) {
      clients.push(
        createReliableClient({
          url: cluster.url,
          token: user.token,
          selfId: user.user.id,
          peerIds: peersOf(i).map((p) => p.user.id),
          headers: pinTo(onNode(i)),
          // What a user waits for is measured with the browser's reconnection delays.
          browserReconnection: true,
        }),
      );
    }
    await Promise.all(clients.map((c) => c.whenReady()));

    // Stranded users on node1 and the peer on node2 who watches their presence.
    const watcher = await registerUser(cluster);
    const stranded = await Promise.all(Array.from({ length: STRANDED }, () => registerUser(cluster)));
    const watching = await connectThroughNginx(watcher.token, {
      transports: ["websocket"],
      extraHeaders: pinTo(node2.name),
    });
    for (const user of stranded) {
      const online = waitFor(watching, "presence", (p) => p.userId === user.user.id && p.online);
      await watching.timeout(5000).emitWithAck("conversation:join", { peerId: user.user.id, afterSeq: 0 });
      await connectThroughNginx(user.token, { transports: ["websocket"], extraHeaders: pinTo(node1.name) });
      await online;
    }
    // The cookie put each socket where it says.
    await expect.poll(() => socketsOn(node1.url)).toBe(CLIENTS / 2 + STRANDED);
    await expect.poll(() => socketsOn(node2.url)).toBe(CLIENTS / 2 + 1);

    let ackedTotal = 0;
    let killedAt = 0;
    let ackedBeforeKill: Message[] = [];
    let killed: Promise<void> | undefined;
    const reconnectedMs: Promise<number>[] = [];
    let offlineMs: Promise<{ ms: number } | { error: unknown }>[] = [];
    function acked(): void {
      if (++ackedTotal < KILL_AFTER_ACKS || killedAt) return;
      killedAt = Date.now();
      killed = node1.kill();
      ackedBeforeKill = clients.flatMap((c) => [...c.acked.values()]);
      for (const [i, client] of clients.entries()) {
        if (onNode(i) !== node1.name) continue;
        const connects = client.stats.connects;
        reconnectedMs.push(
          client
            .until(() => client.stats.connects > connects && client.isReady(), `client ${i} back`)
            .then(() => Date.now() - killedAt),
        );
      }
      // Settled now, asserted last: the delivery checks come first whatever presence does.
      offlineMs = stranded.map((user) =>
        waitFor(watching, "presence", (p) => p.userId === user.user.id && !p.online, PRESENCE_WINDOW_MS).then(
          () => ({ ms: Date.now() - killedAt }),
          (error: unknown) => ({ error }),
        ),
      );
    }
    await Promise.all(clients.map((client, i) => sendStorm(client, i, { count: PER_CLIENT, window: WINDOW }, acked)));
    await killed;
    const reconnects = await Promise.all(reconnectedMs);

    // A last message in every conversation from node2's side: a hole below it is filled from history.
    for (let i = 1; i < CLIENTS; i += 2) {
      for (const peer of peersOf(i)) await clients[i]!.send(peer.user.id, `after ${i}`);
    }

    const stored = new Map<string, Message[]>();
    for (let i = 0; i < CLIENTS; i++) {
      const peer = users[(i + 1) % CLIENTS]!;
      stored.set(
        conversationIdFor(users[i]!.user.id, peer.user.id),
        await fetchAllMessages(cluster.url, users[i]!.token, peer.user.id),
      );
    }
    const all = [...stored.values()].flat();
    const byClientId = new Map(all.map((m) => [`${m.senderId}/${m.clientId}`, m]));
    for (const messages of stored.values()) {
      expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: messages.length }, (_, k) => k + 1));
    }
    expect(all).toHaveLength(CLIENTS * PER_CLIENT + CLIENTS);
    expect(byClientId.size).toBe(all.length);
    const allAcked = clients.flatMap((c) => [...c.acked.values()]);
    expect(allAcked).toHaveLength(all.length);
    for (const message of allAcked) expect(byClientId.get(`${message.senderId}/${message.clientId}`)).toEqual(message);
    for (const message of ackedBeforeKill) expect(all).toContainEqual(message);

    // Every client holds exactly what is stored: nothing missing, nothing twice.
    await expectEveryClientHoldsWhatIsStored(clients, stored);
    for (const [i, client] of clients.entries()) {
      expect(client.stats.repeatedBroadcasts).toBe(0);
      expect(client.stats.seqConflicts).toBe(0);
      // Node1's clients came back once, through nginx, to node2; node2's never left.
      expect(client.stats.connects).toBe(onNode(i) === node1.name ? 2 : 1);
    }
    expect(await socketsOn(node2.url)).toBe(CLIENTS + 1);

    // Back on its port, node1 takes the connections its cookie names again.
    const restartStartedAt = Date.now();
    await node1.restart();
    const restartMs = Date.now() - restartStartedAt;
    // nginx tries node1 again once its fail_timeout (2 s) has passed since the last refused attempt:
    // until then a connection naming node1 goes to the backup, and is closed to try again.
    const takenBackBy = Date.now() + 10_000;
    for (;;) {
      const socket = await connectThroughNginx(watcher.token, {
        transports: ["websocket"],
        extraHeaders: pinTo(node1.name),
      });
      if ((await socketsOn(node1.url)) === 1 || Date.now() > takenBackBy) break;
      socket.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await socketsOn(node1.url)).toBe(1);

    const offline = await Promise.all(offlineMs);
    const sorted = [...reconnects].sort((a, b) => a - b);
    console.log(
      `[failover] clients=${CLIENTS} (${CLIENTS / 2} on the killed node) sent=${all.length} ` +
        `ackedBeforeKill=${ackedBeforeKill.length} retried=${clients.reduce((n, c) => n + c.stats.retries, 0)} ` +
        `gapFills=${clients.reduce((n, c) => n + c.stats.gapFills, 0)} ` +
        `reconnectMs(median/max)=${sorted[Math.floor(sorted.length / 2)]}/${sorted.at(-1)} ` +
        `offlineShownMs=${offline.map((o) => ("ms" in o ? o.ms : "never")).join(",")} restartMs=${restartMs} ` +
        `ms=${Date.now() - startedAt}`,
    );
    // Users who were only on the killed node go offline for their peers within the presence window.
    for (const result of offline) expect(result).toEqual({ ms: expect.any(Number) });
  }, 60_000);

  it("keeps a group spanning both nodes whole: every acked message reaches every member once", async () => {
    const [node1] = cluster.nodes as [Cluster["nodes"][number]];
    const members: TestUser[] = [];
    for (let i = 0; i < GROUP_MEMBERS; i++) members.push(await registerUser(cluster));
    const created = await http<GroupResponse>(cluster, "POST", "/api/groups", {
      token: members[0]!.token,
      body: { clientId: newClientId(), name: "Across nodes", memberIds: members.slice(1).map((m) => m.user.id) },
    });
    expect(created.status).toBe(201);
    const conversationId = groupConversationId(created.body.group.id);
    // Even members on node1, which is killed, odd ones on node2.
    const onNode = (i: number) => cluster.nodes[i % 2]!.name;
    const alreadyOnNode1 = await socketsOn(node1.url);
    const openTabs = () =>
      members.map((user, i) => {
        const client = createReliableClient({
          url: cluster.url,
          token: user.token,
          selfId: user.user.id,
          peerIds: [conversationId],
          headers: pinTo(onNode(i)),
        });
        clients.push(client);
        return client;
      });
    // Each nginx worker keeps node1 failed for fail_timeout (2 s) after its last refused attempt, sending
    // node1's cookie to the backup meanwhile: open the tabs again until the cookie put each where it says.
    let tabs = openTabs();
    for (const placedBy = Date.now() + 15_000; ;) {
      await Promise.all(tabs.map((t) => t.whenReady()));
      if ((await socketsOn(node1.url)) === alreadyOnNode1 + GROUP_MEMBERS / 2) break;
      if (Date.now() > placedBy) throw new Error("nginx kept sending node1's cookie to the backup");
      for (const t of tabs) t.close();
      await expect.poll(() => socketsOn(node1.url)).toBe(alreadyOnNode1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      tabs = openTabs();
    }

    let acked = 0;
    let killed: Promise<void> | undefined;
    let ackedBeforeKill: Message[] = [];
    await Promise.all(
      tabs.map(async (tab, i) => {
        for (let n = 0; n < GROUP_PER_MEMBER; n++) {
          await tab.send(conversationId, `member ${i} says ${n}`);
          if (++acked !== (GROUP_MEMBERS * GROUP_PER_MEMBER) / 2) continue;
          killed = node1.kill();
          ackedBeforeKill = tabs.flatMap((t) => [...t.acked.values()]);
        }
      }),
    );
    await killed;

    const stored = await fetchAllMessages(cluster.url, members[1]!.token, conversationId);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: stored.length }, (_, k) => k + 1));
    expect(stored.filter((m) => m.kind === "text")).toHaveLength(GROUP_MEMBERS * GROUP_PER_MEMBER);
    expect(new Set(stored.map((m) => m.id)).size).toBe(stored.length);
    for (const message of ackedBeforeKill) expect(stored).toContainEqual(message);
    await expectEveryClientHoldsWhatIsStored(tabs, new Map([[conversationId, stored]]));
    for (const [i, tab] of tabs.entries()) {
      expect(tab.stats.repeatedBroadcasts).toBe(0);
      expect(tab.stats.seqConflicts).toBe(0);
      expect({ member: i, connects: tab.stats.connects }).toEqual({
        member: i,
        connects: onNode(i) === node1.name ? 2 : 1,
      });
    }
    await node1.restart();
  }, 60_000);
});
