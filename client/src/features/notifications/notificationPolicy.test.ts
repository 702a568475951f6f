import { describe, expect, it } from "vitest";
import { makeMessage } from "../../test/factories";
import { shouldNotify, type NotificationContext } from "./notificationPolicy";

const fromBob = makeMessage({ seq: 5, senderId: "bob", recipientId: "alice" });
const ringing: NotificationContext = {
  message: fromBob,
  selfId: "alice",
  visibility: "hidden",
  permission: "granted",
  optedIn: true,
  heldSeq: 4,
  level: "all",
};
const mentioningMe = { ...fromBob, mentions: ["alice"] };

describe("shouldNotify", () => {
  it.each<[string, Partial<NotificationContext>, boolean]>([
    ["a new peer message in a hidden tab", {}, true],
    ["the tab is visible", { visibility: "visible" }, false],
    ["my own message (sent from another tab)", { message: { ...fromBob, senderId: "alice" } }, false],
    ["not opted in", { optedIn: false }, false],
    ["permission not granted yet", { permission: "default" }, false],
    ["permission denied", { permission: "denied" }, false],
    ["no Notification API", { permission: "unsupported" }, false],
    ["signed out", { selfId: null }, false],
    ["a repeat of the newest held message", { heldSeq: 5 }, false],
    ["an older message arriving late", { heldSeq: 9 }, false],
    ["the first message of a new conversation", { heldSeq: 0 }, true],
    ["level mentions, a message not mentioning me", { level: "mentions" }, false],
    ["level mentions, a message mentioning me", { level: "mentions", message: mentioningMe }, true],
    ["level none (or muted), even mentioning me", { level: "none", message: mentioningMe }, false],
  ])("%s → %s", (_case, overrides, expected) => {
    expect(shouldNotify({ ...ringing, ...overrides })).toBe(expected);
  });
});
