// A load worker of bench/peers.ts: a forked process holding its share of the
// socket.io-client clients, on both servers at once. Both sockets of a pair
// live in the same worker, so a message's send and its arrival at the peer
// are timed on one clock.
import { performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";
import type { Message } from "../shared/protocol";
import type { ClientSpec, ServerName, SliceReport, WorkerCommand, WorkerReply } from "./load-protocol";
import { BODY } from "./seed";

/** Sockets a worker opens at once. */
const CONNECT_BATCH = 50;

type Client = { spec: ClientSpec; socket: Socket };
type Slice = { report: SliceReport; sent: Sent[]; outstanding: number; onSettled: () => void };
type Sent = { slice: Slice; sentAt: number; acked: boolean; delivered: boolean; failed: boolean };

const pairs: Record<ServerName, Array<[Client, Client]>> = { relay: [], parley: [], baseline: [] };
const idle: Record<ServerName, Socket[]> = { relay: [], parley: [], baseline: [] };
/** Every message sent, by clientId, kept after its slice so a late or repeated arrival is still recognised. */
const sentByClientId = new Map<string, Sent>();
let nextClientId = 0;
/** The slice under way: its counters, and a callback run whenever one of its messages settles. */
let current: Slice | null = null;

function reply(message: WorkerReply): void {
  process.send!(message);
}

async function connect(url: string, spec: ClientSpec): Promise<Socket> {
  const socket = io(url, { auth: spec.auth, transports: ["websocket"], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

async function connectAll(url: string, specs: ClientSpec[]): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let first = 0; first < specs.length; first += CONNECT_BATCH) {
    sockets.push(...(await Promise.all(specs.slice(first, first + CONNECT_BATCH).map((spec) => connect(url, spec)))));
  }
  return sockets;
}

/** Counts a `message:new` at the recipient's socket; the sender's echo is not a delivery. */
function onMessageNew(client: Client, message: Message): void {
  if (message.recipientId !== client.spec.userId) {
    if (current && message.senderId === client.spec.userId) current.report.echoes++;
    return;
  }
  const sent = sentByClientId.get(message.clientId);
  if (!sent) return;
  if (sent.delivered) {
    if (current) current.report.duplicates++;
    return;
  }
  sent.delivered = true;
  // Arrived after its slice's drain: already counted lost there.
  if (sent.slice !== current || sent.failed) return;
  current.report.delivered++;
  current.report.deliveryMs.push(performance.now() - sent.sentAt);
  settle(current);
}

function settle(slice: Slice): void {
  slice.outstanding--;
  slice.onSettled();
}

function send(from: Client): void {
  const clientId = `bench-${process.pid}-${nextClientId++}`;
  const slice = current!;
  const sent: Sent = { slice, sentAt: performance.now(), acked: false, delivered: false, failed: false };
  sentByClientId.set(clientId, sent);
  slice.sent.push(sent);
  slice.report.sent++;
  // Two things to wait for: the ack and the delivery.
  slice.outstanding += 2;
  from.socket.emit("message:send", { peerId: from.spec.peerId, clientId, body: BODY }, (ack: { ok: boolean }) => {
    if (current !== slice) return;
    if (ack.ok) {
      sent.acked = true;
      slice.report.acked++;
      slice.report.ackMs.push(performance.now() - sent.sentAt);
    } else {
      sent.failed = true;
      slice.report.failed++;
      // A refused send is never delivered; stop waiting for it.
      if (!sent.delivered) settle(slice);
    }
    settle(slice);
  });
}

async function runSlice(command: Extract<WorkerCommand, { type: "slice" }>): Promise<SliceReport> {
  const serverPairs = pairs[command.server];
  const report: SliceReport = {
    sent: 0,
    acked: 0,
    failed: 0,
    delivered: 0,
    lost: 0,
    duplicates: 0,
    echoes: 0,
    deliveryMs: [],
    ackMs: [],
    sendingMs: 0,
    cpuMs: 0,
  };
  const cpuBefore = process.cpuUsage();
  const total = Math.round((command.ratePerPair * serverPairs.length * command.durationMs) / 1000);
  let settledAll: () => void = () => {};
  const allSettled = new Promise<void>((resolve) => (settledAll = resolve));
  let sendingDone = false;
  const slice: Slice = {
    report,
    sent: [],
    outstanding: 0,
    onSettled: () => {
      if (sendingDone && slice.outstanding === 0) settledAll();
    },
  };
  current = slice;

  // Sends spread evenly over the slice, round-robin over the pairs, alternating direction.
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / command.durationMs) * total));
      while (report.sent < due) {
        const i = report.sent;
        const pair = serverPairs[i % serverPairs.length]!;
        send(pair[Math.floor(i / serverPairs.length) % 2]!);
      }
      if (report.sent === total) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  report.sendingMs = performance.now() - started;
  sendingDone = true;
  if (slice.outstanding === 0) settledAll();
  await Promise.race([allSettled, new Promise((resolve) => setTimeout(resolve, command.drainMs))]);
  current = null;
  const cpu = process.cpuUsage(cpuBefore);
  report.cpuMs = (cpu.user + cpu.system) / 1000;

  for (const sent of slice.sent) {
    if (!sent.acked && !sent.failed) report.failed++;
    if (!sent.delivered && !sent.failed) report.lost++;
  }
  return report;
}

async function handle(command: WorkerCommand): Promise<void> {
  switch (command.type) {
    case "connect": {
      const sockets = await connectAll(command.url, command.clients);
      const clients = sockets.map((socket, i) => ({ spec: command.clients[i]!, socket }));
      for (const client of clients) {
        client.socket.on("message:new", (message: Message) => onMessageNew(client, message));
        const ack = (await client.socket.emitWithAck("conversation:join", { peerId: client.spec.peerId })) as {
          ok: boolean;
        };
        if (!ack.ok) throw new Error(`conversation:join on ${command.server}: ${JSON.stringify(ack)}`);
      }
      for (let i = 0; i + 1 < clients.length; i += 2) pairs[command.server].push([clients[i]!, clients[i + 1]!]);
      return reply({ type: "done" });
    }
    case "connectIdle":
      idle[command.server].push(...(await connectAll(command.url, command.clients)));
      return reply({ type: "done" });
    case "disconnectIdle":
      for (const socket of idle[command.server].splice(0)) socket.disconnect();
      return reply({ type: "done" });
    case "slice":
      return reply({ type: "slice", report: await runSlice(command) });
    case "close":
      for (const [a, b] of Object.values(pairs).flat()) {
        a.socket.disconnect();
        b.socket.disconnect();
      }
      process.disconnect();
  }
}

process.on("message", (command: WorkerCommand) => {
  handle(command).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
reply({ type: "ready" });
