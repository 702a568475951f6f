import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { conversationIdFor } from "../../shared/protocol";
import type { Message } from "../../shared/protocol";
import { fetchAllMessages, freePort, killServerProcesses, registerUser, startServerProcess } from "./helpers";
import type { TestUser } from "./helpers";
import { createReliableClient, expectEveryClientHoldsWhatIsStored, sendStorm } from "./reliable-client";
import type { ReliableClient } from "./reliable-client";

const CLIENTS = 20;
const PER_CLIENT = 30;
/** Sends each client keeps awaiting their ack at once. */
const WINDOW = 3;
/** The server is killed once this many sends were acked. */
const KILL_AFTER_ACKS = 200;
const ENV = { SEND_RATE_BURST: "100000", SEND_RATE_PER_SEC: "100000" };

let dataDir = "";
const clients: ReliableClient[] = [];
afterAll(async () => {
  for (const client of clients) client.close();
  await killServerProcesses();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("kill -9 during a send storm", () => {
  it("stores every acked message once, keeps seq gapless, and every client catches up after the restart", async () => {
    const startedAt = Date.now();
    dataDir = await mkdtemp(join(tmpdir(), "parley-storm-"));
    // A fixed port: the restarted server must be where the clients reconnect by themselves.
    const port = await freePort();
    const first = await startServerProcess(dataDir, port, ENV);
    const users: TestUser[] = [];
    for (let i = 0; i < CLIENTS; i++) users.push(await registerUser(first));

    // A ring: each user talks with the previous and the next one, so 20 conversations with two senders each.
    const peersOf = (i: number) => [users[(i + 1) % CLIENTS]!, users[(i + CLIENTS - 1) % CLIENTS]!];
    for (const [i, user] of users.entries()) {
      clients.push(
        createReliableClient({
          url: first.url,
          token: user.token,
          selfId: user.user.id,
          peerIds: peersOf(i).map((p) => p.user.id),
          // Half connect as the browser does (long-polling, then the upgrade), half over WebSocket only.
          transports: i % 2 === 0 ? ["polling", "websocket"] : ["websocket"],
        }),
      );
    }
    await Promise.all(clients.map((c) => c.whenReady()));

    let ackedTotal = 0;
    let killedAt = 0;
    let ackedBeforeKill: Message[] = [];
    let inFlightAtKill = new Set<string>();
    function acked(): void {
      if (++ackedTotal < KILL_AFTER_ACKS || killedAt) return;
      first.child.kill("SIGKILL");
      killedAt = Date.now();
      ackedBeforeKill = clients.flatMap((c) => [...c.acked.values()]);
      inFlightAtKill = new Set(
        clients.flatMap((c) => [...c.outbox.values()].filter((e) => e.inFlight)).map((e) => e.clientId),
      );
    }
    const storms = Promise.all(
      clients.map((client, i) => sendStorm(client, i, { count: PER_CLIENT, window: WINDOW }, acked)),
    );

    // Restart on the same data and port once the first process is gone.
    expect(await first.exited).toBeNull();
    expect(first.child.signalCode).toBe("SIGKILL");
    const restartStartedAt = Date.now();
    const second = await startServerProcess(dataDir, port, ENV);
    const restartMs = Date.now() - restartStartedAt;
    expect(second.url).toBe(first.url);
    await storms;

    // The stored state, conversation by conversation, over HTTP.
    const stored = new Map<string, Message[]>();
    for (let i = 0; i < CLIENTS; i++) {
      const peer = users[(i + 1) % CLIENTS]!;
      stored.set(
        conversationIdFor(users[i]!.user.id, peer.user.id),
        await fetchAllMessages(second.url, users[i]!.token, peer.user.id),
      );
    }
    const all = [...stored.values()].flat();
    const byId = new Map(all.map((m) => [m.id, m]));
    const byClientId = new Map(all.map((m) => [`${m.senderId}/${m.clientId}`, m]));

    // Every conversation's seq runs 1..last without a gap.
    for (const messages of stored.values()) {
      expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: messages.length }, (_, k) => k + 1));
    }
    // Each message is stored once, by id and by (sender, clientId); nothing was stored that was not sent.
    expect(byId.size).toBe(all.length);
    expect(byClientId.size).toBe(all.length);
    expect(all).toHaveLength(CLIENTS * PER_CLIENT);
    // Every message acked before the kill survived unchanged; so did every later ack.
    expect(ackedBeforeKill.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    for (const message of ackedBeforeKill) expect(byId.get(message.id)).toEqual(message);
    const allAcked = clients.flatMap((c) => [...c.acked.values()]);
    expect(allAcked).toHaveLength(CLIENTS * PER_CLIENT);
    for (const message of allAcked) expect(byClientId.get(`${message.senderId}/${message.clientId}`)).toEqual(message);

    // Every client reconnected by itself and holds exactly what is stored.
    await expectEveryClientHoldsWhatIsStored(clients, stored);
    for (const client of clients) {
      expect(client.stats.connects).toBeGreaterThanOrEqual(2);
      expect(client.stats.outOfOrder).toBe(0);
      expect(client.stats.repeatedBroadcasts).toBe(0);
      expect(client.stats.seqConflicts).toBe(0);
    }

    const retried = clients.reduce((n, c) => n + c.stats.retries, 0);
    expect(inFlightAtKill.size).toBeGreaterThan(0);
    expect(retried).toBeGreaterThanOrEqual(inFlightAtKill.size);
    // In flight at the kill, yet committed before it: the retry got the original back.
    const committedUnacked = allAcked.filter(
      (m) => inFlightAtKill.has(m.clientId) && Date.parse(m.createdAt) <= killedAt,
    ).length;
    console.log(
      `[crash-storm] clients=${CLIENTS} conversations=${stored.size} sent=${CLIENTS * PER_CLIENT} ` +
        `ackedBeforeKill=${ackedBeforeKill.length} inFlightAtKill=${inFlightAtKill.size} ` +
        `committedButUnackedAtKill=${committedUnacked} storedAfterRestart=${all.length} retried=${retried} ` +
        `duplicatesOnServer=${all.length - byClientId.size} reconnects=${clients.reduce((n, c) => n + c.stats.connects - 1, 0)} ` +
        `restartMs=${restartMs} ms=${Date.now() - startedAt}`,
    );
  }, 60_000);
});
