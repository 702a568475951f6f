import type { UnknownAction } from "@reduxjs/toolkit";
import { describe, expect, it } from "vitest";
import { groupConversationId, LIMITS, type GroupJoinResult, type Message } from "../../../../shared/protocol";
import { makeStore } from "../../app/store";
import {
  groupSummary,
  listPage,
  makeGroup,
  makeGroupMessage,
  makeMember,
  makeSystemMessage,
  makeUser,
} from "../../test/factories";
import { sessionVerified, signedIn } from "../auth/authSlice";
import {
  conversationJoined,
  conversationOpened,
  groupLoaded,
  messageReceived,
  missedMessagesLoaded,
  receiptReceived,
  typingExpired,
  typingReceived,
} from "../chat/chatSlice";
import { selectDeliveryState, selectGroup, selectReadSeq, selectTypists } from "../chat/selectors";
import { conversationsListed } from "./conversationsSlice";
import { selectBadgeTotal, selectConversationList } from "./selectors";

const ME = makeUser({ id: "alice" });
const GROUP = groupConversationId("g1");

function joined(overrides: Partial<GroupJoinResult> = {}) {
  return conversationJoined({
    result: {
      conversationId: GROUP,
      group: makeGroup(),
      messages: [makeSystemMessage(1, "alice", { action: "created", userIds: ["alice", "bob", "carol"] })],
      hasMore: false,
      readSeq: 1,
      visibleFromSeq: 1,
      rev: 1,
      changed: [],
      changedHasMore: false,
      ...overrides,
    },
    afterSeq: undefined,
  });
}

function run(steps: UnknownAction[]) {
  const store = makeStore();
  store.dispatch(signedIn({ token: "t", user: ME, remember: false }));
  store.dispatch(sessionVerified(ME));
  for (const step of steps) store.dispatch(step);
  return store.getState();
}

const opened = conversationOpened({ conversationId: GROUP, peerId: null });
const fromBob = (seq: number) => makeGroupMessage({ seq, senderId: "bob" });
const receipt = (userId: string, readSeq: number, deliveredSeq = readSeq) =>
  receiptReceived({ conversationId: GROUP, userId, deliveredSeq, readSeq });

describe("group conversations in the chat state", () => {
  it("holds the joined group; live system messages rename, change roles and drop members", () => {
    const state = run([
      opened,
      joined(),
      messageReceived(makeSystemMessage(2, "alice", { action: "renamed", userIds: [], name: "Ski trip" })),
      messageReceived(makeSystemMessage(3, "alice", { action: "role", userIds: ["carol"], role: "owner" })),
      messageReceived(makeSystemMessage(4, "alice", { action: "removed", userIds: ["bob"] })),
    ]);
    const group = selectGroup(state, GROUP);
    expect(group?.name).toBe("Ski trip");
    expect(group?.members.map((member) => `${member.user.id}:${member.role}`)).toEqual(["alice:owner", "carol:owner"]);
  });

  it("leaves the group alone for catch-up pages (older than the joined group)", () => {
    const state = run([
      opened,
      joined(),
      missedMessagesLoaded({
        conversationId: GROUP,
        messages: [makeSystemMessage(2, "alice", { action: "removed", userIds: ["bob"] })],
      }),
    ]);
    expect(selectGroup(state, GROUP)?.members).toHaveLength(3);
  });

  it("takes a fetched group whole (the names of added members)", () => {
    const dave = makeMember("dave");
    const state = run([opened, joined(), groupLoaded(makeGroup({ members: [...makeGroup().members, dave] }))]);
    expect(selectGroup(state, GROUP)?.members.map((member) => member.user.id)).toContain("dave");
  });

  it.each([
    { name: "in order", arrivals: [receipt("bob", 2), receipt("bob", 4)] },
    { name: "out of order", arrivals: [receipt("bob", 4), receipt("bob", 2)] },
  ])("moves each member's watermarks forward only: $name", ({ arrivals }) => {
    const state = run([opened, joined(), ...arrivals]);
    expect(selectGroup(state, GROUP)?.members.find((member) => member.user.id === "bob")).toMatchObject({
      readSeq: 4,
      deliveredSeq: 4,
    });
  });

  it("reads my own watermark from my member entry", () => {
    expect(selectReadSeq(run([opened, joined({ readSeq: 1 }), receipt("alice", 5)]), GROUP)).toBe(5);
  });

  it.each([
    { bob: [0, 0], carol: [0, 0], expected: "sent" },
    { bob: [2, 0], carol: [2, 2], expected: "delivered" },
    { bob: [2, 2], carol: [2, 1], expected: "delivered" },
    { bob: [2, 2], carol: [3, 3], expected: "read" },
  ])("my message 2 is $expected when bob is at $bob and carol at $carol (delivered, read)", (c) => {
    const state = run([
      opened,
      joined(),
      receipt("bob", c.bob[1]!, c.bob[0]),
      receipt("carol", c.carol[1]!, c.carol[0]),
    ]);
    expect(selectDeliveryState(state, GROUP, 2)).toBe(c.expected);
  });

  it("tracks each typist, clears one on their message, and expires the rest", () => {
    const bobTyping = typingReceived({ conversationId: GROUP, userId: "bob", typing: true });
    const carolTyping = typingReceived({ conversationId: GROUP, userId: "carol", typing: true });
    const typing = run([opened, joined(), bobTyping, carolTyping]);
    expect(selectTypists(typing, GROUP)).toEqual(["bob", "carol"]);
    const afterBob = run([opened, joined(), bobTyping, carolTyping, messageReceived(fromBob(2))]);
    expect(selectTypists(afterBob, GROUP)).toEqual(["carol"]);
    const expired = run([
      opened,
      joined(),
      bobTyping,
      typingExpired({ conversationId: GROUP, at: bobTyping.payload.receivedAt + LIMITS.typingExpiryMs }),
    ]);
    expect(selectTypists(expired, GROUP)).toEqual([]);
  });
});

describe("group conversations in the list", () => {
  const line = (state: ReturnType<typeof run>) =>
    selectConversationList(state).map(
      (c) => `${c.group?.name}:${c.group?.memberCount}:${c.lastMessage?.seq}:${c.unread}`,
    );

  it("lists groups from the server's summaries", () => {
    expect(line(run([conversationsListed(listPage([groupSummary()]))]))).toEqual(["Trip:3:1:0"]);
  });

  it("counts live text messages as unread, never system messages, and follows renames and members", () => {
    const state = run([
      conversationsListed(listPage([groupSummary()])),
      messageReceived(fromBob(2)),
      messageReceived(makeSystemMessage(3, "bob", { action: "renamed", userIds: [], name: "Ski" })),
      messageReceived(makeSystemMessage(4, "bob", { action: "added", userIds: ["dave", "erin"] })),
      messageReceived(makeSystemMessage(5, "erin", { action: "left", userIds: ["erin"] })),
    ]);
    expect(line(state)).toEqual(["Ski:4:5:1"]);
    expect(selectBadgeTotal(state, Date.now())).toBe(1);
  });

  it("drops the group from my list when I am removed", () => {
    const state = run([
      conversationsListed(listPage([groupSummary()])),
      messageReceived(makeSystemMessage(2, "bob", { action: "removed", userIds: ["alice"] })),
    ]);
    expect(line(state)).toEqual([]);
  });

  it("keeps a group first seen live out of the list until its summary arrives", () => {
    const added: Message = makeSystemMessage(4, "bob", { action: "added", userIds: ["alice"] });
    expect(line(run([messageReceived(added)]))).toEqual([]);
    expect(
      line(run([messageReceived(added), conversationsListed(listPage([groupSummary({ lastMessage: added })]))])),
    ).toEqual(["Trip:3:4:0"]);
  });
});
