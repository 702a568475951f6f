import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { conversationIdFor, type Message } from "../../../shared/protocol";
import { makeStore } from "../app/store";
import { makeMessage, makeOutgoing } from "../test/factories";
import {
  conversationOpened,
  messageSendRequested,
  type PendingMessage,
  type SendFailure,
} from "../features/chat/chatSlice";
import { SEND_POLICY, type SendResult } from "../features/chat/outbox";
import { createOutboxSender, createSocketOutboxSender } from "./outboxSender";
import type { RouteSocket } from "./socketTypes";

function pending(clientId: string): PendingMessage {
  return {
    clientId,
    conversationId: "dm:alice:bob",
    senderId: "alice",
    recipientId: "bob",
    body: clientId,
    createdAt: "2025-01-01T12:00:00.000Z",
    status: "pending",
    failure: null,
  };
}

/** A queue like the store's: a message leaves when acked or failed. */
function setup(clientIds: string[]) {
  const queue = clientIds.map(pending);
  const emits: { clientId: string; answer: (result: SendResult) => void }[] = [];
  const acked: Message[] = [];
  const failed: { clientId: string; failure: SendFailure }[] = [];
  const throttled: string[] = [];
  const leave = (clientId: string) =>
    queue.splice(
      queue.findIndex((m) => m.clientId === clientId),
      1,
    );
  const sender = createOutboxSender({
    nextInQueue: () => queue[0],
    emit: (message, onResult) => emits.push({ clientId: message.clientId, answer: onResult }),
    acked: (message) => {
      acked.push(message);
      leave(message.clientId);
    },
    failed: (clientId, failure) => {
      failed.push({ clientId, failure });
      leave(clientId);
    },
    throttled: (clientId, failure) => throttled.push(`${clientId}:${failure.retryAfterMs}`),
  });
  return { sender, queue, emits, acked, failed, throttled, sent: () => emits.map((e) => e.clientId) };
}

const storedAs = (clientId: string, seq: number) => makeMessage({ seq, clientId });
const timeout: SendResult = { ok: false, failure: { code: "TIMEOUT", message: "No answer" } };

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("createOutboxSender", () => {
  it("sends nothing before the join, then one message at a time in order", () => {
    const { sender, emits, sent } = setup(["c1", "c2"]);
    sender.flush();
    expect(sent()).toEqual([]);
    sender.resume();
    expect(sent()).toEqual(["c1"]);
    sender.flush();
    expect(sent()).toEqual(["c1"]);
    emits[0]?.answer({ ok: true, message: storedAs("c1", 1) });
    expect(sent()).toEqual(["c1", "c2"]);
  });

  it("retries a lost ack with the same message, so the later one never overtakes it", async () => {
    const { sender, emits, acked, sent } = setup(["c1", "c2"]);
    sender.resume();
    emits[0]?.answer(timeout);
    expect(sent()).toEqual(["c1"]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent()).toEqual(["c1", "c1"]);
    // The server had stored it: the retry's ack is the original message.
    emits[1]?.answer({ ok: true, message: storedAs("c1", 1) });
    expect(acked.map((m) => [m.clientId, m.seq])).toEqual([["c1", 1]]);
    expect(sent()).toEqual(["c1", "c1", "c2"]);
  });

  it("fails a message after the last attempt and goes on with the next", async () => {
    const { sender, emits, failed, sent } = setup(["c1", "c2"]);
    sender.resume();
    emits[0]?.answer(timeout);
    await vi.advanceTimersByTimeAsync(1_000);
    emits[1]?.answer(timeout);
    await vi.advanceTimersByTimeAsync(3_000);
    emits[2]?.answer(timeout);
    expect(failed).toEqual([{ clientId: "c1", failure: timeout.failure }]);
    expect(sent()).toEqual(["c1", "c1", "c1", "c2"]);
  });

  it("waits as long as the rate limit says, tells why, and sends the same message again", async () => {
    const { sender, emits, failed, throttled, sent } = setup(["c1", "c2"]);
    sender.resume();
    emits[0]?.answer({
      ok: false,
      failure: { code: "RATE_LIMITED", message: "sending too fast", retryAfterMs: 2_500 },
    });
    expect(throttled).toEqual(["c1:2500"]);
    await vi.advanceTimersByTimeAsync(2_499);
    expect(sent()).toEqual(["c1"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent()).toEqual(["c1", "c1"]);
    expect(failed).toEqual([]);
  });

  it("fails a rejected message at once", () => {
    const { sender, emits, failed, sent } = setup(["c1", "c2"]);
    sender.resume();
    emits[0]?.answer({ ok: false, failure: { code: "VALIDATION", message: "Too long" } });
    expect(failed.map((f) => f.failure.code)).toEqual(["VALIDATION"]);
    expect(sent()).toEqual(["c1", "c2"]);
  });

  it("ignores answers and retries from before a disconnect, and resends after the rejoin", async () => {
    const { sender, emits, acked, sent } = setup(["c1"]);
    sender.resume();
    emits[0]?.answer(timeout);
    sender.pause();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent()).toEqual(["c1"]);
    emits[0]?.answer({ ok: true, message: storedAs("c1", 1) });
    expect(acked).toEqual([]);
    sender.resume();
    expect(sent()).toEqual(["c1", "c1"]);
  });
});

describe("createSocketOutboxSender", () => {
  it("sends a reply's replyToId, and the same again on the retry after a lost ack", async () => {
    const store = makeStore();
    const conversationId = conversationIdFor("alice", "bob");
    store.dispatch(conversationOpened({ conversationId, peerId: "bob" }));
    const replyTo = { id: "m1", seq: 1, senderId: "bob", excerpt: "question?", deleted: false };
    store.dispatch(messageSendRequested({ ...makeOutgoing("c1", "answer"), replyTo }));
    const emitted: { payload: unknown; ack: (error: Error | null, response?: unknown) => void }[] = [];
    const socket = {
      connected: true,
      timeout: () => ({ emit: (_event: string, payload: unknown, ack: never) => emitted.push({ payload, ack }) }),
    } as unknown as RouteSocket;
    const sender = createSocketOutboxSender({
      socket,
      conversationId,
      dispatch: store.dispatch,
      getState: store.getState,
      isActive: () => true,
    });
    sender.resume();
    emitted[0]?.ack(new Error("operation has timed out"));
    await vi.advanceTimersByTimeAsync(SEND_POLICY.retryDelaysMs[0]);
    const expected = { peerId: "bob", clientId: "c1", body: "answer", replyToId: "m1" };
    expect(emitted.map((e) => e.payload)).toEqual([expected, expected]);
  });
});
