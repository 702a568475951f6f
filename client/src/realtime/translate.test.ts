import { describe, expect, it } from "vitest";
import { conversationSettingsReceived } from "../features/conversations/conversationsSlice";
import type { ServerToClientEvents } from "../../../shared/protocol";
import { messageReceived, messageUpdated, receiptReceived, typingReceived } from "../features/chat/chatSlice";
import { presenceReceived } from "../features/presence/presenceSlice";
import { makeMessage } from "../test/factories";
import { SERVER_EVENT_NAMES, translate, type ServerEvent } from "./translate";

const message = makeMessage({ seq: 3, senderId: "bob", recipientId: "alice" });
const receipt = { conversationId: message.conversationId, userId: "bob", deliveredSeq: 3, readSeq: 2 };
const typing = { conversationId: message.conversationId, userId: "bob", typing: true };
const presence = { userId: "bob", online: true, lastSeenAt: null };
const settings = { conversationId: message.conversationId, notify: "mentions" as const, mutedUntil: null };

/** Keyed by every server event of the protocol: a new event fails to compile until it has a row. */
const table: {
  [Name in keyof ServerToClientEvents]: { event: ServerEvent & { name: Name }; expectedType: string; payload: unknown };
} = {
  "message:new": {
    event: { name: "message:new", payload: message },
    expectedType: messageReceived.type,
    payload: message,
  },
  "message:updated": {
    event: { name: "message:updated", payload: message },
    expectedType: messageUpdated.type,
    payload: message,
  },
  receipt: { event: { name: "receipt", payload: receipt }, expectedType: receiptReceived.type, payload: receipt },
  typing: {
    event: { name: "typing", payload: typing },
    expectedType: typingReceived.type,
    payload: { ...typing, receivedAt: expect.any(Number) },
  },
  presence: { event: { name: "presence", payload: presence }, expectedType: presenceReceived.type, payload: presence },
  "conversation:settings": {
    event: { name: "conversation:settings", payload: settings },
    expectedType: conversationSettingsReceived.type,
    payload: settings,
  },
};

describe("translate", () => {
  it.each(Object.values(table))("$event.name → $expectedType", ({ event, expectedType, payload }) => {
    expect(translate(event)).toEqual({ type: expectedType, payload });
  });

  it("has a row for every event the route socket listens to, and listens to every row", () => {
    expect([...SERVER_EVENT_NAMES].sort()).toEqual(Object.keys(table).sort());
  });

  it("is pure: the same event gives the same action and leaves the payload untouched", () => {
    const frozen = Object.freeze({ ...message });
    expect(translate({ name: "message:new", payload: frozen })).toEqual(
      translate({ name: "message:new", payload: frozen }),
    );
  });
});
