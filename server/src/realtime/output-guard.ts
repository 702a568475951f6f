import type { ServerResponse } from "node:http";
import type { ParleySocket } from "./types";

// The parts of engine.io's socket and transports this guard reads (engine.io 6, ws 8); they are not in its types.
type Packet = { data?: unknown };
type EngineTransport = {
  name: string;
  /** websocket: the ws WebSocket, whose bufferedAmount is what the kernel has not taken yet. */
  socket?: { bufferedAmount: number; terminate(): void };
  /** polling: the pending poll's response, written at the next flush. */
  res?: ServerResponse | null;
};
type EngineSocket = {
  transport: EngineTransport;
  on(event: "packetCreate", listener: (packet: Packet) => void): void;
  on(event: "flush", listener: () => void): void;
  close(discard: boolean): void;
};

// One guard per connection, however many sockets a client multiplexes over it.
const guarded = new WeakSet<object>();

const byteSize = (data: unknown): number =>
  typeof data === "string" ? Buffer.byteLength(data) : data instanceof Uint8Array ? data.byteLength : 0;

/**
 * Drops a socket's connection once its unsent output exceeds `maxBytes`, so a client
 * that stops reading costs the server at most that much (plus one packet).
 *
 * Unsent output is what engine.io still holds in its write buffer (packets
 * wait there while the transport is busy with the previous batch) plus what
 * the transport has taken but the client has not: for websocket, the ws
 * socket's bufferedAmount (the net socket's writableLength); for polling, the
 * poll responses not yet handed to the kernel. It is counted as packets are
 * created, a few additions per packet; a packet to a socket with nothing
 * unsent always goes, so one large page never cuts off a client that reads.
 */
export function guardOutput(socket: ParleySocket, maxBytes: number, onCutOff: (unsentBytes: number) => void): void {
  // Socket.IO types `conn` as engine.io's socket, whose write buffer and events are private.
  const engine = socket.conn as unknown as EngineSocket;
  if (guarded.has(engine)) return;
  guarded.add(engine);
  let queuedBytes = 0;
  let pollingBytes = 0;
  const pollResponses = new Set<ServerResponse>();
  let cutOff = false;

  const transportBytes = () =>
    engine.transport.name === "websocket" ? (engine.transport.socket?.bufferedAmount ?? 0) : pollingBytes;

  engine.on("packetCreate", (packet) => {
    if (cutOff) return;
    const size = byteSize(packet.data);
    const before = queuedBytes + transportBytes();
    queuedBytes += size;
    if (before > 0 && before + size > maxBytes) {
      cutOff = true;
      onCutOff(before + size);
      drop();
    }
  });

  engine.on("flush", () => {
    const batch = queuedBytes;
    queuedBytes = 0;
    const res = engine.transport.name === "polling" ? engine.transport.res : null;
    if (!res || batch === 0) return;
    // A poll response counts until Node has handed it to the kernel (or the connection is gone).
    pollingBytes += batch;
    pollResponses.add(res);
    let counted = true;
    const settle = () => {
      if (!counted) return;
      counted = false;
      pollingBytes -= batch;
      pollResponses.delete(res);
    };
    res.once("finish", settle);
    res.once("close", settle);
  });

  /** Disconnects at once: a polite close would wait for the client to read what it refuses to read. */
  function drop() {
    // Closes the connection, so every socket on it goes.
    socket.disconnect(true);
    if (engine.transport.name === "websocket") engine.transport.socket?.terminate();
    for (const res of pollResponses) res.destroy();
    // Discarding closes now instead of after the unread write buffer drains.
    engine.close(true);
  }
}
