import { describe, expect, it } from "vitest";
import { makeMessage } from "../../test/factories";
import type { PendingMessage } from "./chatSlice";
import { forgetOutbox, loadOutbox, nextSendStep, saveOutbox, SEND_POLICY, type SendResult } from "./outbox";

const timeout: SendResult = { ok: false, failure: { code: "TIMEOUT", message: "No answer" } };

describe("nextSendStep", () => {
  it.each<{ name: string; result: SendResult; attempt: number; expected: ReturnType<typeof nextSendStep> }>([
    {
      name: "an ack settles it",
      result: { ok: true, message: makeMessage({ seq: 1 }) },
      attempt: 1,
      expected: { kind: "done" },
    },
    { name: "a first timeout retries", result: timeout, attempt: 1, expected: { kind: "retry", delayMs: 1_000 } },
    { name: "a second timeout backs off", result: timeout, attempt: 2, expected: { kind: "retry", delayMs: 3_000 } },
    {
      name: "the last timeout fails",
      result: timeout,
      attempt: SEND_POLICY.maxAttempts,
      expected: { kind: "fail", failure: timeout.failure },
    },
    {
      name: "an internal error retries like a timeout",
      result: { ok: false, failure: { code: "INTERNAL", message: "oops" } },
      attempt: 1,
      expected: { kind: "retry", delayMs: 1_000 },
    },
    {
      name: "rate limited waits as told, whatever the attempt",
      result: { ok: false, failure: { code: "RATE_LIMITED", message: "slow", retryAfterMs: 700 } },
      attempt: 9,
      expected: { kind: "retry", delayMs: 700 },
    },
    {
      name: "a validation error is final",
      result: { ok: false, failure: { code: "VALIDATION", message: "too long" } },
      attempt: 1,
      expected: { kind: "fail", failure: { code: "VALIDATION", message: "too long" } },
    },
    {
      name: "an unknown peer is final",
      result: { ok: false, failure: { code: "NOT_FOUND", message: "no one" } },
      attempt: 1,
      expected: { kind: "fail", failure: { code: "NOT_FOUND", message: "no one" } },
    },
  ])("$name", ({ result, attempt, expected }) => {
    expect(nextSendStep(result, attempt)).toEqual(expected);
  });
});

function pending(clientId: string, conversationId = "dm:alice:bob"): PendingMessage {
  return {
    clientId,
    conversationId,
    senderId: "alice",
    recipientId: "bob",
    body: `body of ${clientId}`,
    createdAt: "2025-01-01T12:00:00.000Z",
    status: "pending",
    failure: null,
  };
}

describe("outbox storage", () => {
  it("restores what was saved, in order, per user", () => {
    saveOutbox("alice", { "dm:alice:bob": [pending("c1"), pending("c2")] });
    expect(loadOutbox("alice")["dm:alice:bob"]?.map((m) => m.clientId)).toEqual(["c1", "c2"]);
    expect(loadOutbox("carol")).toEqual({});
  });

  it("keeps the sends of conversations that were not part of the change", () => {
    saveOutbox("alice", { "dm:alice:bob": [pending("c1")], "dm:alice:carol": [pending("c9", "dm:alice:carol")] });
    saveOutbox("alice", { "dm:alice:bob": [] });
    expect(Object.keys(loadOutbox("alice"))).toEqual(["dm:alice:carol"]);
  });

  it("removes the key once empty, and on sign-out", () => {
    saveOutbox("alice", { "dm:alice:bob": [] });
    expect(sessionStorage.getItem("parley.outbox.alice")).toBeNull();
    saveOutbox("alice", { "dm:alice:bob": [pending("c1")] });
    forgetOutbox("alice");
    expect(loadOutbox("alice")).toEqual({});
  });

  it("treats unreadable storage as empty", () => {
    sessionStorage.setItem("parley.outbox.alice", "{not json");
    expect(loadOutbox("alice")).toEqual({});
  });
});
