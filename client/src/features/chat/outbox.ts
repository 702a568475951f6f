import type { Message } from "../../../../shared/protocol";
import type { PendingMessage, SendFailure } from "./chatSlice";

/** What one `message:send` attempt came back with; a missing ack is a TIMEOUT failure. */
export type SendResult = { ok: true; message: Message } | { ok: false; failure: SendFailure };

export type SendStep = { kind: "done" } | { kind: "retry"; delayMs: number } | { kind: "fail"; failure: SendFailure };

export const SEND_POLICY = {
  ackTimeoutMs: 10_000,
  maxAttempts: 3,
  /** Wait before attempt 2, 3, …; a retry reuses the clientId, so the server stores the message once whatever happened. */
  retryDelaysMs: [1_000, 3_000],
  rateLimitDelayMs: 1_000,
} as const;

/**
 * What to do after an attempt. A timeout is never taken as "not stored"
 * (the ack may be what got lost): it is retried with the same clientId.
 * Rejections the server would repeat (VALIDATION, NOT_FOUND, …) are final.
 */
export function nextSendStep(result: SendResult, attempt: number): SendStep {
  if (result.ok) return { kind: "done" };
  const { failure } = result;
  switch (failure.code) {
    case "RATE_LIMITED":
      // Not a fault of the message: wait as told, without using up its attempts.
      return { kind: "retry", delayMs: failure.retryAfterMs ?? SEND_POLICY.rateLimitDelayMs };
    case "TIMEOUT":
    case "INTERNAL":
      if (attempt >= SEND_POLICY.maxAttempts) return { kind: "fail", failure };
      return { kind: "retry", delayMs: SEND_POLICY.retryDelaysMs[attempt - 1] ?? SEND_POLICY.rateLimitDelayMs };
    default:
      return { kind: "fail", failure };
  }
}

/** Unsettled sends per conversation, as kept in sessionStorage so a reload (F5) loses none. */
export type StoredOutbox = Record<string, PendingMessage[]>;

function outboxKey(userId: string): string {
  return `parley.outbox.${userId}`;
}

export function loadOutbox(userId: string): StoredOutbox {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(outboxKey(userId)) ?? "{}");
    return typeof parsed === "object" && parsed !== null ? (parsed as StoredOutbox) : {};
  } catch {
    return {};
  }
}

/**
 * Replaces the stored sends of the conversations given and keeps the others:
 * a conversation this tab has not opened since the reload still holds its
 * restored sends only in storage.
 */
export function saveOutbox(userId: string, changed: StoredOutbox): void {
  const merged: StoredOutbox = { ...loadOutbox(userId), ...changed };
  for (const [conversationId, messages] of Object.entries(merged)) {
    if (messages.length === 0) delete merged[conversationId];
  }
  if (Object.keys(merged).length === 0) sessionStorage.removeItem(outboxKey(userId));
  else sessionStorage.setItem(outboxKey(userId), JSON.stringify(merged));
}

export function forgetOutbox(userId: string): void {
  sessionStorage.removeItem(outboxKey(userId));
}
