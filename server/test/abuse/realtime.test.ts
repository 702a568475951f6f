// One hostile account against the real server (PROTOCOL.md "Limits", DESIGN.md rule 12): each test
// reproduces an attack, shows it refused, and prints one `[abuse]` line with what it measured.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { connect as tcpConnect } from "node:net";
import type { Socket as TcpSocket } from "node:net";
import { performance } from "node:perf_hooks";
import { io as connectSocketIo } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { createMemoryConnectionCounter } from "../../src/realtime/connection-counter";
import type { ParleySocket } from "../../src/realtime/types";
import {
  collect,
  connectClient,
  emitAck,
  messageBarrier,
  newClientId,
  rawEmit,
  registerUser,
  seedMessages,
  sendMessage,
  startServer,
  waitFor,
} from "../helpers";
import type { ClientSocket, TestServer, TestUser } from "../helpers";

const MB = 1024 * 1024;
const mb = (bytes: number) => (bytes / MB).toFixed(1);
const ms = (value: number) => value.toFixed(1);

/** The in-process RSS, sampled every 10 ms until stopped: the server runs in this process. */
function sampleRss() {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  return {
    before,
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/** Asks /healthz one request after another until `until` settles; returns each latency in ms. */
async function probeHealthz(server: TestServer, until: Promise<unknown>): Promise<number[]> {
  let settled = false;
  void until.then(
    () => (settled = true),
    () => (settled = true),
  );
  const latencies: number[] = [];
  const deadline = performance.now() + 20_000;
  while ((!settled || latencies.length < 20) && performance.now() < deadline) {
    const started = performance.now();
    const res = await fetch(`${server.url}/healthz`);
    await res.text();
    expect(res.status).toBe(200);
    latencies.push(performance.now() - started);
  }
  return latencies;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** The next connection by `userId`: when the server has accepted it, and the reason it ended. */
function nextServerConnection(server: TestServer, userId: string) {
  const nsp = server.app.io.of("/");
  let connected!: () => void;
  const connection = new Promise<void>((resolve) => (connected = resolve));
  const disconnected = new Promise<string>((resolve) => {
    const onConnection = (socket: ParleySocket) => {
      if (socket.data.userId !== userId) return;
      nsp.off("connection", onConnection);
      connected();
      socket.once("disconnect", (reason) => resolve(reason));
    };
    nsp.on("connection", onConnection);
  });
  return { connected: connection, disconnected };
}

/** Resolves once the server has seen `client` disconnect (its slot is given back before this listener runs). */
function serverSawDisconnect(server: TestServer, client: ClientSocket): Promise<void> {
  const socket = server.app.io.of("/").sockets.get(client.id ?? "");
  if (!socket) throw new Error("no such server socket");
  const gone = new Promise<void>((resolve) => socket.once("disconnect", () => resolve()));
  client.disconnect();
  return gone;
}

/** A Socket.IO client over a bare ws WebSocket, so the test controls when it reads. */
async function rawSocketIoClient(server: TestServer, token: string) {
  const ws = new WebSocket(`${server.url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`);
  await new Promise<void>((resolve, reject) => {
    ws.on("message", function handshake(data: WebSocket.RawData) {
      const text = Buffer.isBuffer(data) ? data.toString("utf8") : "";
      if (text.startsWith("0")) ws.send(`40${JSON.stringify({ token })}`);
      else if (text.startsWith("40")) {
        ws.off("message", handshake);
        resolve();
      } else if (text.startsWith("44")) reject(new Error(text));
    });
    ws.once("error", reject);
  });
  let nextAckId = 0;
  return {
    ws,
    emit(event: string, payload: unknown) {
      ws.send(`42${nextAckId++}${JSON.stringify([event, payload])}`, () => undefined);
    },
  };
}

// ---------------------------------------------------------------- slow readers

describe("a client that stops reading", () => {
  // Event limits out of the way: here only the output cap stands between the attacker and the server's memory.
  // Unprotected, these attacks grew RSS by 0.5 to 1.3 GB; protected, by under 35 MB (mostly garbage not yet collected).
  const RSS_GROWTH_BOUND_MB = 96;
  let server: TestServer;
  let owner: TestUser;
  let peer: TestUser;
  beforeAll(async () => {
    server = await startServer({ EVENT_RATE_BURST: "100000", EVENT_RATE_PER_SEC: "100000" });
    [owner, peer] = await Promise.all([registerUser(server), registerUser(server)]);
    await seedMessages(server, owner.user, peer.user, 500, (i) => `${i} `.padEnd(4000, "x"));
  });
  afterAll(() => server.close());

  it("over a websocket, asking for 1 MiB pages again and again, is disconnected; memory and /healthz hold", async () => {
    const { disconnected } = nextServerConnection(server, owner.user.id);
    const attacker = await rawSocketIoClient(server, owner.token);
    attacker.ws.pause();
    const rss = sampleRss();
    const started = performance.now();
    // 400 pages of about 1.1 MB each: 440 MB if the server buffered them.
    for (let i = 0; i < 400; i++) attacker.emit("conversation:join", { peerId: peer.user.id, afterSeq: 0 });
    const disconnectedAfter = disconnected.then((reason) => ({ reason, ms: performance.now() - started }));
    const healthz = probeHealthz(server, disconnected);
    const { reason, ms: disconnectedAfterMs } = await disconnectedAfter;
    const latencies = await healthz;
    const rssPeak = rss.stop();
    attacker.ws.terminate();

    console.log(
      `[abuse] slow-reader-ws pages=400 rssBeforeMB=${mb(rss.before)} rssPeakMB=${mb(rssPeak)} ` +
        `rssGrowthMB=${mb(rssPeak - rss.before)} disconnectedAfterMs=${ms(disconnectedAfterMs)} ` +
        `healthzProbes=${latencies.length} healthzP50Ms=${ms(percentile(latencies, 50))} healthzP99Ms=${ms(percentile(latencies, 99))} healthzMaxMs=${ms(Math.max(...latencies))}`,
    );
    expect(reason).toBe("server namespace disconnect");
    expect(rssPeak - rss.before).toBeLessThan(RSS_GROWTH_BOUND_MB * MB);
    expect(percentile(latencies, 99)).toBeLessThan(500);
  });

  it("over long-polling, never polling while asking for pages, is disconnected", async () => {
    const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const open = await (await fetch(base)).text();
    const { sid } = JSON.parse(open.slice(1)) as { sid: string };
    const { connected, disconnected } = nextServerConnection(server, owner.user.id);
    const post = (body: string) => fetch(`${base}&sid=${sid}`, { method: "POST", body }).then((res) => res.text());
    expect(await post(`40${JSON.stringify({ token: owner.token })}`)).toBe("ok");
    // The POST is answered before the session is checked: joins sent earlier would find no socket yet.
    await connected;
    const rss = sampleRss();
    const started = performance.now();
    // Joins in packets of 20 (a polling POST carries several, separated by \x1e), until cut off.
    // Joins arriving while the socket's queue is full are refused with a short error, not a page,
    // and a POST is answered before its joins are handled: so the asking goes on for as long as it
    // takes a slower database to produce enough pages, bounded in time rather than in count.
    const askUntil = started + 20_000;
    let sent = 0;
    let cutOff = false;
    void disconnected.then(() => (cutOff = true));
    while (!cutOff && performance.now() < askUntil) {
      const batch = Array.from(
        { length: 20 },
        (_, i) => `42${sent + i}${JSON.stringify(["conversation:join", { peerId: peer.user.id, afterSeq: 0 }])}`,
      );
      sent += batch.length;
      const answer = await post(batch.join("\x1e")).catch(() => "closed");
      if (answer !== "ok") break;
    }
    const reason = await disconnected;
    const rssPeak = rss.stop();
    console.log(
      `[abuse] slow-reader-polling pagesAsked=${sent} rssBeforeMB=${mb(rss.before)} rssPeakMB=${mb(rssPeak)} ` +
        `rssGrowthMB=${mb(rssPeak - rss.before)} disconnectedAfterMs=${ms(performance.now() - started)}`,
    );
    expect(reason).toBe("server namespace disconnect");
    expect(rssPeak - rss.before).toBeLessThan(RSS_GROWTH_BOUND_MB * MB);
  }, 40_000);

  /** A raw TCP connection the test never reads from, plus the server's side of it. */
  async function neverReadingConnection() {
    const serverSide = new Promise<TcpSocket>((resolve) => {
      const onConnection = (socket: TcpSocket) => {
        if (socket.remotePort !== client.localPort) return;
        server.app.httpServer.off("connection", onConnection);
        resolve(socket);
      };
      server.app.httpServer.on("connection", onConnection);
    });
    const url = new URL(server.url);
    const client = tcpConnect(Number(url.port), url.hostname);
    client.pause();
    client.on("error", () => undefined);
    await once(client, "connect");
    return { client, serverSide: await serverSide };
  }

  function historyRequests(count: number): string {
    const path = `/api/conversations/${peer.user.id}/messages?afterSeq=0&limit=500`;
    const request = `GET ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${owner.token}\r\n\r\n`;
    return request.repeat(count);
  }

  /** The responses the app has ended on `socket` so far, written or still held in memory by Node. */
  function countResponses(socket: TcpSocket) {
    const responses: ServerResponse[] = [];
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      if (req.socket === socket) responses.push(res);
    };
    server.app.httpServer.on("request", onRequest);
    return {
      ended: () => responses.filter((res) => res.writableEnded).length,
      stop: () => server.app.httpServer.off("request", onRequest),
    };
  }

  /** Pipelines `requests` history requests on a connection that never reads, until the server closes it. */
  async function pipelineUnread(requests: number) {
    const { client, serverSide } = await neverReadingConnection();
    const responses = countResponses(serverSide);
    const rss = sampleRss();
    const started = performance.now();
    const closed = once(serverSide, "close").then(() => performance.now() - started);
    client.write(historyRequests(requests));
    const latencies = await probeHealthz(server, closed);
    const closedAfterMs = await closed;
    const rssPeak = rss.stop();
    const produced = responses.ended();
    responses.stop();
    client.destroy();
    return { produced, rssBefore: rss.before, rssPeak, closedAfterMs, latencies };
  }

  it("with the event limit out of the way, a typing flood still reaches the peer a bounded number of times", () =>
    typingFlood(server, "throttled"));

  it("over HTTP, pipelining hundreds of history requests, is cut off; memory and /healthz hold", async () => {
    const { produced, rssBefore, rssPeak, closedAfterMs, latencies } = await pipelineUnread(400);

    console.log(
      `[abuse] slow-reader-http-pipelined requests=400 responsesProduced=${produced} ` +
        `rssBeforeMB=${mb(rssBefore)} rssPeakMB=${mb(rssPeak)} rssGrowthMB=${mb(rssPeak - rssBefore)} ` +
        `closedAfterMs=${ms(closedAfterMs)} healthzP99Ms=${ms(percentile(latencies, 99))}`,
    );
    // One request at a time per connection: only the one in progress at the cut-off was produced.
    expect(produced).toBeLessThanOrEqual(1);
    expect(rssPeak - rssBefore).toBeLessThan(RSS_GROWTH_BOUND_MB * MB);
    expect(percentile(latencies, 99)).toBeLessThan(500);
  });

  it("over HTTP, pipelining a few requests and never reading, holds one response at a time until the idle timeout", async () => {
    const idleTimeoutMs = 1000;
    const saved = server.app.httpServer.timeout;
    server.app.httpServer.timeout = idleTimeoutMs;
    try {
      // 16 pages of about 1.1 MB: more than loopback's socket buffers take.
      const { produced, rssBefore, rssPeak, closedAfterMs, latencies } = await pipelineUnread(16);

      console.log(
        `[abuse] slow-reader-http-stalled requests=16 responsesProduced=${produced} ` +
          `rssGrowthMB=${mb(rssPeak - rssBefore)} closedAfterMs=${ms(closedAfterMs)} ` +
          `healthzP99Ms=${ms(percentile(latencies, 99))}`,
      );
      // Responses are produced only as the kernel takes the previous ones, and the stalled connection is dropped.
      expect(produced).toBeLessThan(16);
      expect(closedAfterMs).toBeGreaterThanOrEqual(idleTimeoutMs - 50);
      expect(rssPeak - rssBefore).toBeLessThan(RSS_GROWTH_BOUND_MB * MB);
    } finally {
      server.app.httpServer.timeout = saved;
    }
  });
});

// ---------------------------------------------------------------- typing

/** 3000 typing:false, then 3000 alternating: the peer hears true/false pairs, one true a second at most. */
async function typingFlood(server: TestServer, label: string): Promise<void> {
  const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
  const [a, b] = await Promise.all([connectClient(server, alice.token), connectClient(server, bob.token)]);
  const bobSaw = collect(b, "typing");
  const started = performance.now();
  for (let i = 0; i < 3000; i++) a.emit("typing", { peerId: bob.user.id, typing: false });
  for (let i = 0; i < 3000; i++) a.emit("typing", { peerId: bob.user.id, typing: i % 2 === 0 });
  // The barrier may be refused while the flood fills the socket's queue: retry it (same clientId) until it goes.
  const clientId = newClientId();
  const arrived = waitFor(b, "message:new", (m) => m.clientId === clientId, 20_000);
  for (;;) {
    const res = await emitAck(a, "message:send", { peerId: bob.user.id, clientId, body: "barrier" });
    if (res.ok) break;
    expect(res.error.code).toBe("RATE_LIMITED");
  }
  await arrived;
  const seconds = (performance.now() - started) / 1000;

  console.log(`[abuse] typing-flood-${label} sent=6000 relayed=${bobSaw.length} seconds=${seconds.toFixed(2)}`);
  bobSaw.forEach((event, i) => expect(event.typing).toBe(i % 2 === 0));
  expect(bobSaw.filter((e) => e.typing).length).toBeLessThanOrEqual(1 + Math.ceil(seconds));
}

// ---------------------------------------------------------------- limits with their defaults

describe("with the default limits", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it("refuses a user's 21st socket with TOO_MANY_CONNECTIONS, and accepts one again after a disconnect", async () => {
    const alice = await registerUser(server);
    const sockets = await Promise.all(Array.from({ length: 20 }, () => connectClient(server, alice.token)));
    const refused = await connectClient(server, alice.token).then(
      () => "connected",
      (error: Error) => error.message,
    );
    expect(refused).toBe("TOO_MANY_CONNECTIONS");
    // Another user is not affected.
    const bob = await registerUser(server);
    await connectClient(server, bob.token);

    await serverSawDisconnect(server, sockets[0]!);
    const again = await connectClient(server, alice.token);
    expect(again.connected).toBe(true);
    const refusedAgain = await connectClient(server, alice.token).then(
      () => "connected",
      (error: Error) => error.message,
    );
    expect(refusedAgain).toBe("TOO_MANY_CONNECTIONS");
    console.log(`[abuse] sockets-per-user opened=22 accepted=21 refused=2 (cap 20 at a time)`);
  });

  it("gives back the slot of a socket rejected by a later middleware", async () => {
    const carol = await registerUser(server);
    // Runs after the cap; refuses handshakes that ask for it.
    server.app.io.use((socket, next) => next(socket.handshake.auth.refuse ? new Error("REFUSED_LATER") : undefined));
    for (let i = 0; i < 25; i++) {
      const socket = connectSocketIo(server.url, {
        auth: { token: carol.token, refuse: true },
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
      });
      const error = await new Promise<Error>((resolve) => socket.once("connect_error", resolve));
      socket.disconnect();
      expect(error.message).toBe("REFUSED_LATER");
    }
    await Promise.all(Array.from({ length: 20 }, () => connectClient(server, carol.token)));
    await expect(connectClient(server, carol.token)).rejects.toThrow("TOO_MANY_CONNECTIONS");
  });

  it("relays a flood of typing signals a bounded number of times", () => typingFlood(server, "event-limited"));

  it("drops a stream of typing:false, and typing to an unknown user reaches nobody", async () => {
    const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    const [a, aliceTab, b] = await Promise.all([
      connectClient(server, alice.token),
      connectClient(server, alice.token),
      connectClient(server, bob.token),
    ]);
    const adapter = server.app.io.of("/").adapter;
    const broadcast = vi.spyOn(adapter, "broadcast");
    try {
      for (let i = 0; i < 20; i++) a.emit("typing", { peerId: bob.user.id, typing: false });
      const stranger = `nobody${randomUUID().slice(0, 8)}`;
      for (let i = 0; i < 20; i++) rawEmit(a, "typing", { peerId: stranger, typing: i % 2 === 0 });
      await messageBarrier(a, bob.user.id, [b, aliceTab]);
      const typingBroadcasts = broadcast.mock.calls.filter(([packet]) => (packet.data as unknown[])[0] === "typing");
      console.log(`[abuse] typing-false-and-unknown sent=40 relayed=${typingBroadcasts.length}`);
      expect(typingBroadcasts).toEqual([]);
    } finally {
      broadcast.mockRestore();
    }
  });

  it("answers a receipt flood RATE_LIMITED past the burst, with retryAfterMs, without running the refused ones", async () => {
    const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    await seedMessages(server, bob.user, alice.user, 300);
    const a = await connectClient(server, alice.token);
    const acks = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        emitAck(a, "conversation:receipt", { peerId: bob.user.id, readSeq: i + 1 }),
      ),
    );
    const accepted = acks.flatMap((ack, i) => (ack.ok ? [i + 1] : []));
    const refused = acks.filter((ack) => !ack.ok);
    const { body } = await fetchConversations(server, alice.token);
    const readSeq = body.conversations.find((c) => c.peer.id === bob.user.id)?.readSeq;

    console.log(`[abuse] receipt-flood sent=300 accepted=${accepted.length} rateLimited=${refused.length}`);
    expect(accepted.length).toBeGreaterThanOrEqual(60);
    expect(accepted.length).toBeLessThan(100);
    for (const ack of refused) {
      expect(ack).toMatchObject({ ok: false, error: { code: "RATE_LIMITED", retryAfterMs: expect.any(Number) } });
      expect(!ack.ok && ack.error.retryAfterMs).toBeGreaterThan(0);
    }
    // The watermark is the highest accepted one: no refused receipt ran.
    expect(readSeq).toBe(Math.max(...accepted));
  });

  it("answers a join flood RATE_LIMITED past the burst, with retryAfterMs", async () => {
    const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    const a = await connectClient(server, alice.token);
    const started = performance.now();
    // One at a time, so only the event bucket (not the queue bound) can refuse them.
    const acks = [];
    for (let i = 0; i < 300; i++)
      acks.push(await emitAck(a, "conversation:join", { peerId: bob.user.id, afterSeq: 0 }));
    const accepted = acks.filter((ack) => ack.ok).length;
    const refused = acks.filter((ack) => !ack.ok);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `[abuse] join-flood sent=300 accepted=${accepted} rateLimited=${refused.length} seconds=${seconds.toFixed(2)}`,
    );
    // The burst, plus what the bucket refilled (20 a second) while the flood lasted.
    expect(accepted).toBeGreaterThanOrEqual(60);
    expect(accepted).toBeLessThanOrEqual(60 + Math.ceil(20 * seconds));
    for (const ack of refused) {
      expect(ack).toMatchObject({ ok: false, error: { code: "RATE_LIMITED", retryAfterMs: expect.any(Number) } });
    }
  });

  it("charges an edit flood to the sender's send tokens", async () => {
    const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    const [a, b] = await Promise.all([connectClient(server, alice.token), connectClient(server, bob.token)]);
    const message = await sendMessage(a, bob.user.id, "original");
    const updates = collect(b, "message:updated");
    const started = performance.now();
    const acks = await Promise.all(
      Array.from({ length: 200 }, (_, i) => emitAck(a, "message:edit", { messageId: message.id, body: `edit ${i}` })),
    );
    const accepted = acks.filter((ack) => ack.ok).length;
    const refused = acks.filter((ack) => !ack.ok);
    // Each edit is broadcast before its ack, so Bob's own message arrives after every update he was sent.
    await messageBarrier(b, alice.user.id, [b]);

    console.log(
      `[abuse] edit-flood sent=200 accepted=${accepted} rateLimited=${refused.length} updatesToPeer=${updates.length}`,
    );
    // The send burst is 30 and the original took one; the bucket refills 5 a second.
    const seconds = (performance.now() - started) / 1000;
    expect(accepted).toBeGreaterThanOrEqual(29);
    expect(accepted).toBeLessThanOrEqual(29 + Math.ceil(5 * seconds));
    for (const ack of refused) {
      expect(ack).toMatchObject({ ok: false, error: { code: "RATE_LIMITED", retryAfterMs: expect.any(Number) } });
    }
    expect(updates.length).toBe(accepted);
  });
});

async function fetchConversations(server: TestServer, token: string) {
  const res = await fetch(`${server.url}/api/conversations`, { headers: { authorization: `Bearer ${token}` } });
  return { body: (await res.json()) as { conversations: { peer: { id: string }; readSeq: number }[] } };
}

// ---------------------------------------------------------------- the count across handshakes that never finish

describe("the socket count", () => {
  it("gives back the slot of a socket whose client left while its handshake was pending", async () => {
    const counter = createMemoryConnectionCounter(2);
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let held = true;
    let acquireCalled: () => void = () => undefined;
    const acquiring = new Promise<void>((resolve) => (acquireCalled = resolve));
    let released: () => void = () => undefined;
    const releasing = new Promise<void>((resolve) => (released = resolve));
    const server = await startServer({}, undefined, {
      connectionCounter: {
        async acquire(userId) {
          acquireCalled();
          if (held) await gate;
          return counter.acquire(userId);
        },
        release(userId) {
          counter.release(userId);
          released();
        },
      },
    });
    try {
      const dave = await registerUser(server);
      const engineClosed = new Promise<void>((resolve) =>
        server.app.io.engine.once("connection", (conn: { once(e: "close", f: () => void): void }) =>
          conn.once("close", () => resolve()),
        ),
      );
      const pending = connectSocketIo(server.url, {
        auth: { token: dave.token },
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
      });
      await acquiring;
      pending.disconnect();
      await engineClosed;
      held = false;
      openGate();
      await releasing;
      expect(counter.count(dave.user.id)).toBe(0);

      await Promise.all([connectClient(server, dave.token), connectClient(server, dave.token)]);
      expect(counter.count(dave.user.id)).toBe(2);
      await expect(connectClient(server, dave.token)).rejects.toThrow("TOO_MANY_CONNECTIONS");
    } finally {
      await server.close();
    }
  });
});
