import { performance } from "node:perf_hooks";
import type { Ack, ClientToServerEvents } from "../../../shared/protocol";
import { AppError, toApiError, toAppError } from "../errors";
import { createSerialQueue } from "../lib/serial-queue";
import type { TakeResult } from "../lib/token-bucket";
import type { TakeTurn } from "../lib/turns";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { ParleySocket } from "./types";

type AckedEvent = Exclude<keyof ClientToServerEvents, "typing">;
type AckOf<E extends AckedEvent> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];
/** What a handler returns: the success ack without its `ok: true`. */
export type SuccessOf<E extends AckedEvent> = Omit<Extract<AckOf<E>, { ok: true }>, "ok">;

type Callback = (response: unknown) => void;
const isCallback = (value: unknown): value is Callback => typeof value === "function";

export type EventLimits = {
  /** The socket's event bucket, for every event but the three below. */
  takeEventToken: () => TakeResult;
  /** Events waiting in the socket's queue at most; one more is refused. */
  maxPending: number;
};
// These spend the sender's send tokens in their handlers instead.
const SEND_TOKEN_EVENTS: ReadonlySet<string> = new Set(["message:send", "message:edit", "message:delete"]);
const QUEUE_FULL_RETRY_MS = 1000;

const rateLimited = (message: string, retryAfterMs: number): Ack => ({
  ok: false,
  error: toApiError(new AppError("RATE_LIMITED", message, 429, retryAfterMs)),
});

/**
 * Registers a socket's handlers behind one queue, so its events are handled
 * in arrival order, and answers every ack exactly once: the handler's result,
 * or the coded error it threw. An event without an ack callback is dropped
 * unprocessed (it could not report its outcome) and never crashes the server.
 * Limits are applied on arrival, before the queue, so a flood is refused
 * without queueing work; the queue itself holds at most `maxPending` events.
 * Each event starts in a turn of the event loop its user takes with
 * `takeTurn`, shared by all the user's connections.
 */
export function createEventBinder(
  socket: ParleySocket,
  deps: { logger: Logger; recordAckLatency: AckLatencyRecorder; limits: EventLimits; takeTurn: TakeTurn },
) {
  const { logger, recordAckLatency, limits, takeTurn } = deps;
  const serial = createSerialQueue();
  // Made on first use: most sockets never log, and an idle socket should not hold a logger.
  let socketLogger: Logger | undefined;
  const log = () => (socketLogger ??= logger.child({ userId: socket.data.userId, socketId: socket.id }));
  let pending = 0;

  /** Admits an event, or says why not; an admitted task is skipped once the socket is gone. */
  function admit(event: string): Ack | null {
    if (!SEND_TOKEN_EVENTS.has(event)) {
      const token = limits.takeEventToken();
      if (!token.ok) return rateLimited("too many events", token.retryAfterMs);
    }
    if (pending >= limits.maxPending) return rateLimited("too many events waiting", QUEUE_FULL_RETRY_MS);
    return null;
  }

  function run(task: () => Promise<void>): Promise<void> {
    pending++;
    return serial(async () => {
      try {
        const turn = takeTurn(socket.data.userId);
        if (turn) await turn;
        if (socket.connected) await task();
      } finally {
        pending--;
      }
    });
  }

  function onAcked<E extends AckedEvent>(event: E, handle: (payload: unknown) => Promise<SuccessOf<E>>): void {
    const listener = (...args: unknown[]) => {
      const receivedAt = performance.now();
      const ack = args.at(-1);
      if (!isCallback(ack)) {
        log().debug({ event }, "event without ack callback dropped");
        return;
      }
      const refused = admit(event);
      if (refused) {
        ack(refused);
        return;
      }
      const payload = args.length > 1 ? args[0] : undefined;
      void run(async () => {
        let response: Ack;
        try {
          response = { ok: true, ...(await handle(payload)) };
        } catch (error) {
          response = { ok: false, error: toApiError(toAppError(error, log())) };
        }
        ack(response);
        recordAckLatency(event, (performance.now() - receivedAt) / 1000);
      });
    };
    // Widened to the union: TypeScript cannot resolve Socket.IO's listener type for a generic event name.
    socket.on(event as AckedEvent, listener);
  }

  /** For events without an ack (typing): same limits and queue; refused or failed ones are dropped. */
  function onSignal(event: "typing", handle: (payload: unknown) => Promise<void>): void {
    socket.on(event, (payload: unknown) => {
      if (admit(event)) return;
      void run(() => handle(payload)).catch((error: unknown) => log().debug({ event, err: error }, "signal ignored"));
    });
  }

  return { onAcked, onSignal };
}

export type EventBinder = ReturnType<typeof createEventBinder>;

type AckLatencyRecorder = (event: AckedEvent, seconds: number) => void;

/** Observes ack latencies by event; prom-client would hash the label set of every observation. */
export function createAckLatencyRecorder(metrics: Metrics): AckLatencyRecorder {
  const byEvent = new Map<AckedEvent, ReturnType<Metrics["ackLatency"]["labels"]>>();
  return (event, seconds) => {
    let histogram = byEvent.get(event);
    if (!histogram) byEvent.set(event, (histogram = metrics.ackLatency.labels({ event })));
    histogram.observe(seconds);
  };
}
