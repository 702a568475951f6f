import { EVENTS, type Message } from "../../../shared/protocol";
import type { AppDispatch, RootState } from "../app/store";
import { assertNever } from "../lib/assertNever";
import {
  messageAcked,
  messageSendFailed,
  messageSendThrottled,
  type PendingMessage,
  type SendFailure,
} from "../features/chat/chatSlice";
import { nextSendStep, SEND_POLICY, type SendResult } from "../features/chat/outbox";
import { refPayload } from "../features/chat/conversationRef";
import { selectSendQueue } from "../features/chat/selectors";
import type { RouteSocket } from "./socketTypes";

type OutboxSenderOptions = {
  /** The oldest send still to be made, read from the store at each step. */
  nextInQueue: () => PendingMessage | undefined;
  emit: (message: PendingMessage, onResult: (result: SendResult) => void) => void;
  acked: (message: Message) => void;
  failed: (clientId: string, failure: SendFailure) => void;
  /** Over the send rate limit: the message waits as told and goes again by itself. */
  throttled?: (clientId: string, failure: SendFailure) => void;
};

/**
 * Sends the outbox one message at a time, so message 3 can never overtake
 * message 2 (a retried 2 would otherwise get the later seq). Runs only
 * between a join and the next disconnect: sends made meanwhile wait as
 * pending and go out after the rejoin, with the same clientId.
 */
export function createOutboxSender({ nextInQueue, emit, acked, failed, throttled }: OutboxSenderOptions) {
  let running = false;
  let inFlight = false;
  /** Bumped on pause, so an answer or timer from before a disconnect is ignored. */
  let epoch = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const attempts = new Map<string, number>();

  function flush(): void {
    if (!running || inFlight) return;
    const message = nextInQueue();
    if (message === undefined) return;
    inFlight = true;
    const attempt = (attempts.get(message.clientId) ?? 0) + 1;
    attempts.set(message.clientId, attempt);
    const startedIn = epoch;
    emit(message, (result) => {
      if (startedIn !== epoch) return;
      const step = nextSendStep(result, attempt);
      switch (step.kind) {
        case "retry":
          if (!result.ok && result.failure.code === "RATE_LIMITED") throttled?.(message.clientId, result.failure);
          retryTimer = setTimeout(() => {
            inFlight = false;
            flush();
          }, step.delayMs);
          return;
        case "done":
          if (result.ok) acked(result.message);
          break;
        case "fail":
          failed(message.clientId, step.failure);
          break;
        default:
          assertNever(step);
      }
      attempts.delete(message.clientId);
      inFlight = false;
      flush();
    });
  }

  function pause(): void {
    epoch += 1;
    running = false;
    inFlight = false;
    clearTimeout(retryTimer);
  }

  return {
    /** Sends whatever is queued, if connected and joined; call after queueing a message. */
    flush,
    /** The conversation is joined: a fresh connection gets a fresh set of attempts. */
    resume(): void {
      pause();
      attempts.clear();
      running = true;
      flush();
    },
    pause,
  };
}

export type OutboxSender = ReturnType<typeof createOutboxSender>;

type SocketOutboxOptions = {
  socket: RouteSocket;
  conversationId: string;
  dispatch: AppDispatch;
  getState: () => RootState;
  /** False once the socket is closed by its route: late answers are dropped. */
  isActive: () => boolean;
};

/** The outbox of one conversation, sent over one socket with an ack timeout per attempt. */
export function createSocketOutboxSender({
  socket,
  conversationId,
  dispatch,
  getState,
  isActive,
}: SocketOutboxOptions) {
  return createOutboxSender({
    nextInQueue: () => selectSendQueue(getState(), conversationId)[0],
    emit: (message, onResult) => {
      const ref = refPayload({ conversationId, peerId: message.recipientId });
      const payload = { ...ref, clientId: message.clientId, body: message.body, replyToId: message.replyTo?.id };
      socket.timeout(SEND_POLICY.ackTimeoutMs).emit(EVENTS.send, payload, (error, response) => {
        // A drop is no failure: the message stays pending and goes out again after the rejoin.
        if (!isActive() || (error && !socket.connected)) return;
        if (error) onResult({ ok: false, failure: { code: "TIMEOUT", message: "No answer from the server." } });
        else if (response.ok) onResult({ ok: true, message: response.message });
        else onResult({ ok: false, failure: response.error });
      });
    },
    acked: (message) => dispatch(messageAcked(message)),
    failed: (clientId, failure) => dispatch(messageSendFailed({ conversationId, clientId, failure })),
    throttled: (clientId, failure) => dispatch(messageSendThrottled({ conversationId, clientId, failure })),
  });
}
