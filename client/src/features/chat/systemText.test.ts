import { describe, expect, it } from "vitest";
import type { Message, SystemEvent } from "../../../../shared/protocol";
import { makeGroupMessage, makeSystemMessage } from "../../test/factories";
import { buildListRows } from "./listRows";
import { describeSystemEvent, FORMER_MEMBER, systemPreview } from "./systemText";

const NAMES: Record<string, string> = { alice: "Alice", bob: "Bob", carol: "Carol" };
const nameOf = (userId: string) => NAMES[userId] ?? FORMER_MEMBER;

describe("system notes", () => {
  it.each<{ event: SystemEvent; actor: string; text: string; preview: string }>([
    {
      event: { action: "created", userIds: ["alice", "bob"] },
      actor: "alice",
      text: "Alice created the group",
      preview: "Group created",
    },
    {
      event: { action: "added", userIds: ["bob", "carol"] },
      actor: "alice",
      text: "Alice added Bob and Carol",
      preview: "New members",
    },
    {
      event: { action: "removed", userIds: ["bob"] },
      actor: "alice",
      text: "Alice removed Bob",
      preview: "A member was removed",
    },
    { event: { action: "left", userIds: ["bob"] }, actor: "bob", text: "Bob left", preview: "A member left" },
    {
      event: { action: "renamed", userIds: [], name: "Trip" },
      actor: "alice",
      text: "Alice renamed the group to “Trip”",
      preview: "Renamed to “Trip”",
    },
    {
      event: { action: "role", userIds: ["carol"], role: "owner" },
      actor: "alice",
      text: "Carol is now an owner",
      preview: "Roles changed",
    },
    {
      event: { action: "role", userIds: ["bob", "carol"], role: "member" },
      actor: "alice",
      text: "Bob and Carol are now members",
      preview: "Roles changed",
    },
    {
      event: { action: "added", userIds: ["zed"] },
      actor: "yan",
      text: `${FORMER_MEMBER} added ${FORMER_MEMBER}`,
      preview: "New member",
    },
  ])("$text", ({ event, actor, text, preview }) => {
    expect(describeSystemEvent(actor, event, nameOf)).toBe(text);
    expect(systemPreview(makeSystemMessage(2, actor, event))).toBe(preview);
  });

  it("lays system messages out as notes that split a sender's burst", () => {
    const confirmed = (message: Message) => ({ kind: "confirmed" as const, message });
    const rows = buildListRows([
      confirmed(makeGroupMessage({ seq: 1, senderId: "bob" })),
      confirmed(makeSystemMessage(2, "alice", { action: "added", userIds: ["carol"] })),
      confirmed(makeGroupMessage({ seq: 3, senderId: "bob" })),
    ]);
    expect(rows.map((row) => (row.kind === "message" ? `message:${row.groupStart}` : row.kind))).toEqual([
      "day",
      "message:true",
      "system",
      "message:true",
    ]);
  });
});
