// What bench/peers.ts and its load workers (bench/load-worker.ts) say to each other over IPC.

/** "baseline": another checkout of Parley in the same run (BENCH_BASELINE), for before/after comparisons. */
export type ServerName = "relay" | "parley" | "baseline";

/** One simulated user: how it authenticates to the server, and whom it talks to. */
export type ClientSpec = { userId: string; peerId: string; auth: Record<string, string> };

export type WorkerCommand =
  /** Connects the pairs (specs 2i and 2i+1) and has each join its conversation. */
  | { type: "connect"; server: ServerName; url: string; clients: ClientSpec[] }
  /** Connects sockets that only sit there; `disconnectIdle` closes them. */
  | { type: "connectIdle"; server: ServerName; url: string; clients: ClientSpec[] }
  | { type: "disconnectIdle"; server: ServerName }
  /** Sends for `durationMs` at `ratePerPair` across the server's pairs, then waits for every ack and delivery. */
  | { type: "slice"; server: ServerName; ratePerPair: number; durationMs: number; drainMs: number }
  | { type: "close" };

export type SliceReport = {
  /** Sends emitted, acks with ok: true, acks with ok: false or none before the drain ended. */
  sent: number;
  acked: number;
  failed: number;
  /** Messages that reached the peer's socket, once; those that had not by the end of the drain; repeats. */
  delivered: number;
  lost: number;
  duplicates: number;
  /** The sender's own copy of its messages: both servers send it, as Parley's protocol says. */
  echoes: number;
  /** Send → the peer's `message:new` (ms), one per delivered message. */
  deliveryMs: number[];
  /** Send → ack (ms), one per ok ack. */
  ackMs: number[];
  /** How long the sends took; past the slice's duration when the worker could not keep the rate. */
  sendingMs: number;
  /** The worker's own CPU time over the slice. */
  cpuMs: number;
};

/** "ready" comes once, unasked, when the worker has loaded; every command then gets one reply. */
export type WorkerReply = { type: "ready" } | { type: "done" } | { type: "slice"; report: SliceReport };
