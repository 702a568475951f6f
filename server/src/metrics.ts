import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Metrics on a registry of their own (not prom-client's global one), so
 * several apps in one process — the integration tests — do not collide.
 */
export function createMetrics(options: { connectedSockets: () => number }) {
  const registry = new Registry();
  // The event-loop delay is sampled every 100 ms, not prom-client's 10: an idle node spent about 4 ms of
  // CPU a second on the samples alone, and ten a second still show any stall long enough to matter.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });

  new Gauge({
    name: "parley_sockets_connected",
    help: "Socket.IO connections currently open on this node",
    registers: [registry],
    // Read at scrape time from Socket.IO itself, so it is exact by construction.
    collect() {
      this.set(options.connectedSockets());
    },
  });

  return {
    registry,
    messagesSent: new Counter({
      name: "parley_messages_sent_total",
      help: "Messages stored (retries of a stored clientId are not counted)",
      registers: [registry],
    }),
    ackLatency: new Histogram({
      name: "parley_ack_latency_seconds",
      help: "Time from receiving a client event to answering its ack",
      labelNames: ["event"] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    httpRequestDuration: new Histogram({
      name: "parley_http_request_duration_seconds",
      help: "Time from a request's arrival until its response is handed to the kernel",
      // Labelled by route template and status class, never by path: the series stay few.
      labelNames: ["method", "route", "status"] as const,
      // Fine below 5 ms, where a history page or a conversation list should stay.
      buckets: [
        0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
      ],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
