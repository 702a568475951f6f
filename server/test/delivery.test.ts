import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../shared/protocol";
import { fetchAllMessages, registerUser, seedMessages, startServer } from "./helpers";
import type { TestServer } from "./helpers";
import { createReliableClient } from "./reliable-client";
import type { ReliableClient } from "./reliable-client";

const PER_SIDE = 250;
/** Sends each side keeps awaiting their ack at once. */
const WINDOW = 8;
/** Total acks at which both sides lose their connection: one by the server, the other by its own transport. */
const DISCONNECT_AT = [60, 150, 240, 330, 420];
/** Disconnect reasons as socket.io-client reports them. */
const SERVER_SIDE = "io server disconnect";
const TRANSPORT_CLOSED = "forced close";

let server: TestServer;
const clients: ReliableClient[] = [];
beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "100000", SEND_RATE_PER_SEC: "100000" });
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server.close();
});

function expectOnceEach(messages: Message[], what: string): void {
  expect(new Set(messages.map((m) => m.id)).size, `${what}: distinct ids`).toBe(messages.length);
  expect(new Set(messages.map((m) => `${m.senderId}/${m.clientId}`)).size, `${what}: distinct clientIds`).toBe(
    messages.length,
  );
}

describe("delivery across forced disconnects", () => {
  it("delivers 500 messages exchanged by two clients, each exactly once and in seq order, through 5 + 5 disconnects", async () => {
    const startedAt = Date.now();
    const running = server;
    const [alice, bob] = await Promise.all([registerUser(running), registerUser(running)]);
    // Alice connects as the browser does (long-polling, then the upgrade), Bob over WebSocket only.
    const a = createReliableClient({
      url: running.url,
      token: alice.token,
      selfId: alice.user.id,
      peerIds: [bob.user.id],
      transports: ["polling", "websocket"],
    });
    const b = createReliableClient({
      url: running.url,
      token: bob.token,
      selfId: bob.user.id,
      peerIds: [alice.user.id],
    });
    clients.push(a, b);
    await Promise.all([a.whenReady(), b.whenReady()]);

    const forced = { server: 0, transport: 0 };
    let inFlightAtDisconnect = 0;
    async function forceDisconnect(client: ReliableClient, how: "server" | "transport"): Promise<void> {
      // A client still reconnecting from the previous round loses the new connection instead.
      await client.whenReady();
      inFlightAtDisconnect += client.inFlight();
      if (how === "server") {
        const serverSocket = running.app.io.of("/").sockets.get(client.socket.id ?? "");
        if (!serverSocket) throw new Error("the client's socket is not on the server");
        serverSocket.disconnect();
        forced.server++;
      } else {
        client.socket.io.engine.close();
        forced.transport++;
      }
    }

    let ackedTotal = 0;
    let round = 0;
    const disconnects: Promise<void>[] = [];
    function acked(): void {
      ackedTotal++;
      while (round < DISCONNECT_AT.length && ackedTotal >= (DISCONNECT_AT[round] ?? Infinity)) {
        const serverSideFirst = round++ % 2 === 0;
        disconnects.push(
          forceDisconnect(a, serverSideFirst ? "server" : "transport"),
          forceDisconnect(b, serverSideFirst ? "transport" : "server"),
        );
      }
    }
    async function sendAll(client: ReliableClient, peerId: string, label: string): Promise<void> {
      let next = 0;
      const worker = async () => {
        while (next < PER_SIDE) {
          const i = next++;
          await client.send(peerId, `${label} ${i}`);
          acked();
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, worker));
    }

    await Promise.all([sendAll(a, bob.user.id, "from alice"), sendAll(b, alice.user.id, "from bob")]);
    await Promise.all(disconnects);
    const total = 2 * PER_SIDE;
    await Promise.all([
      a.until(() => a.view(bob.user.id).length >= total, "alice holds every message"),
      b.until(() => b.view(alice.user.id).length >= total, "bob holds every message"),
    ]);

    // The disconnects happened, mid-stream, and each client reconnected after each.
    expect(forced).toEqual({ server: 5, transport: 5 });
    for (const client of [a, b]) {
      expect(client.stats.disconnects).toEqual({
        [SERVER_SIDE]: expect.any(Number),
        [TRANSPORT_CLOSED]: expect.any(Number),
      });
      expect((client.stats.disconnects[SERVER_SIDE] ?? 0) + (client.stats.disconnects[TRANSPORT_CLOSED] ?? 0)).toBe(5);
      expect(client.stats.connects).toBe(6);
      expect(client.stats.outOfOrder).toBe(0);
      expect(client.stats.repeatedBroadcasts).toBe(0);
      expect(client.stats.seqConflicts).toBe(0);
      expect(client.outbox.size).toBe(0);
    }
    expect(inFlightAtDisconnect).toBeGreaterThan(0);

    // The server stored each message once: 1..500 without gaps, each clientId once.
    const stored = await fetchAllMessages(running.url, alice.token, bob.user.id);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expectOnceEach(stored, "stored");
    const ackedBy = (client: ReliableClient) => [...client.acked.values()].sort((x, y) => x.seq - y.seq);
    expect([...ackedBy(a), ...ackedBy(b)].sort((x, y) => x.seq - y.seq)).toEqual(stored);

    // Each side holds exactly what is stored, the other's 250 included, in seq order.
    for (const [client, peer, other] of [
      [a, bob, b],
      [b, alice, a],
    ] as const) {
      const view = client.view(peer.user.id);
      expect(view).toEqual(stored);
      expectOnceEach(view, "view");
      const fromPeer = view.filter((m) => m.senderId === peer.user.id);
      expect(fromPeer).toEqual(ackedBy(other));
      expect(fromPeer).toHaveLength(PER_SIDE);
    }

    const retries = a.stats.retries + b.stats.retries;
    expect(retries).toBeGreaterThan(0);
    console.log(
      `[delivery] sent=${a.stats.sent + b.stats.sent} stored=${stored.length} ` +
        `deliveredToAlice=${a.view(bob.user.id).filter((m) => m.senderId === bob.user.id).length} ` +
        `deliveredToBob=${b.view(alice.user.id).filter((m) => m.senderId === alice.user.id).length} ` +
        `forcedDisconnects=${forced.server}+${forced.transport} (server-side+transport) ` +
        `inFlightAtDisconnect=${inFlightAtDisconnect} retries=${retries} ` +
        `duplicatesDroppedByClients=${a.stats.duplicatesDropped + b.stats.duplicatesDropped} ` +
        `duplicatesOnServer=${stored.length - new Set(stored.map((m) => m.clientId)).size} ` +
        `httpCatchUpPages=${a.stats.httpPages + b.stats.httpPages} ms=${Date.now() - startedAt}`,
    );
  });
});

describe("catching up", () => {
  it("fetches over HTTP what a join cannot return (more than 500 missed)", async () => {
    const running = server;
    const [alice, bob] = await Promise.all([registerUser(running), registerUser(running)]);
    await seedMessages(running, alice.user, bob.user, 700);
    const b = createReliableClient({
      url: running.url,
      token: bob.token,
      selfId: bob.user.id,
      peerIds: [alice.user.id],
    });
    clients.push(b);
    await b.until(() => b.view(alice.user.id).length >= 700, "bob holds all 700");
    expect(b.view(alice.user.id)).toEqual(await fetchAllMessages(running.url, bob.token, alice.user.id));
    expect(b.view(alice.user.id).map((m) => m.seq)).toEqual(Array.from({ length: 700 }, (_, i) => i + 1));
    expect(b.stats.httpPages).toBe(1);
  });
});
