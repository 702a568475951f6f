import { performance } from "node:perf_hooks";
import type { Ack, ClientToServerEvents } from "../../../shared/protocol";
import { toApiError, toAppError } from "../errors";
import { createSerialQueue } from "../lib/serial-queue";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { ParleySocket } from "./types";

type AckedEvent = Exclude<keyof ClientToServerEvents, "typing">;
type AckOf<E extends AckedEvent> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];
/** What a handler returns: the success ack without its `ok: true`. */
export type SuccessOf<E extends AckedEvent> = Omit<Extract<AckOf<E>, { ok: true }>, "ok">;

type Callback = (response: unknown) => void;
const isCallback = (value: unknown): value is Callback => typeof value === "function";

/**
 * Registers a socket's handlers behind one queue, so its events are handled
 * in arrival order, and answers every ack exactly once: the handler's result,
 * or the coded error it threw. An event without an ack callback is dropped
 * unprocessed (it could not report its outcome) and never crashes the server.
 */
export function createEventBinder(socket: ParleySocket, deps: { logger: Logger; metrics: Metrics }) {
  const { logger, metrics } = deps;
  const run = createSerialQueue();
  const log = logger.child({ userId: socket.data.userId, socketId: socket.id });

  function onAcked<E extends AckedEvent>(event: E, handle: (payload: unknown) => Promise<SuccessOf<E>>): void {
    const listener = (...args: unknown[]) => {
      const receivedAt = performance.now();
      const ack = args.at(-1);
      if (!isCallback(ack)) {
        log.debug({ event }, "event without ack callback dropped");
        return;
      }
      const payload = args.length > 1 ? args[0] : undefined;
      void run(async () => {
        let response: Ack;
        try {
          response = { ok: true, ...(await handle(payload)) };
        } catch (error) {
          response = { ok: false, error: toApiError(toAppError(error, log)) };
        }
        ack(response);
        metrics.ackLatency.observe({ event }, (performance.now() - receivedAt) / 1000);
      });
    };
    // Widened to the union: TypeScript cannot resolve Socket.IO's listener type for a generic event name.
    socket.on(event as AckedEvent, listener);
  }

  /** For events without an ack (typing): same queue, failures only logged. */
  function onSignal(event: "typing", handle: (payload: unknown) => Promise<void>): void {
    socket.on(event, (payload: unknown) => {
      void run(() => handle(payload)).catch((error: unknown) => log.debug({ event, err: error }, "signal ignored"));
    });
  }

  return { onAcked, onSignal };
}

export type EventBinder = ReturnType<typeof createEventBinder>;
