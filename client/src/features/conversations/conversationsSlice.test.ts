import type { UnknownAction } from "@reduxjs/toolkit";
import { describe, expect, it } from "vitest";
import { conversationIdFor, type ConversationSummary, type DmSummary, type Message } from "../../../../shared/protocol";
import { makeStore } from "../../app/store";
import { listPage, makeMessage, makeUser } from "../../test/factories";
import { sessionVerified } from "../auth/authSlice";
import { messageReceived, messageUpdated, receiptReceived } from "../chat/chatSlice";
import { connectionStatusChanged } from "../connection/connectionSlice";
import {
  conversationSettingsReceived,
  conversationsListed,
  olderConversationsListed,
  peerLoaded,
  readReceiptSent,
} from "./conversationsSlice";
import { selectBadgeTotal, selectConversationList, selectListNextBefore, titleFor } from "./selectors";

const ME = makeUser({ id: "alice" });
const BOB = makeUser({ id: "bob" });
const CAROL = makeUser({ id: "carol" });
const WITH_BOB = conversationIdFor(ME.id, BOB.id);
const WITH_CAROL = conversationIdFor(ME.id, CAROL.id);

const fromBob = (seq: number) => makeMessage({ seq, senderId: BOB.id, recipientId: ME.id });
const toBob = (seq: number) => makeMessage({ seq, senderId: ME.id, recipientId: BOB.id });
const fromCarol = (seq: number) => makeMessage({ seq, senderId: CAROL.id, recipientId: ME.id });

function summary(lastMessage: Message, overrides: Partial<DmSummary> = {}): DmSummary {
  return {
    kind: "dm",
    mentionCount: 0,
    notify: "all",
    mutedUntil: null,
    conversationId: lastMessage.conversationId,
    peer: lastMessage.senderId === ME.id ? BOB : makeUser({ id: lastMessage.senderId }),
    lastMessage,
    unreadCount: 0,
    readSeq: 0,
    peerReadSeq: 0,
    peerDeliveredSeq: 0,
    ...overrides,
  };
}
/** A first page that is the whole list. */
const listed = (conversations: ConversationSummary[]) => conversationsListed(listPage(conversations));
const myReceipt = (conversationId: string, readSeq: number) =>
  receiptReceived({ conversationId, userId: ME.id, deliveredSeq: readSeq, readSeq });

function run(steps: UnknownAction[]) {
  const store = makeStore();
  for (const step of [sessionVerified(ME), ...steps]) store.dispatch(step);
  const state = store.getState();
  return {
    list: selectConversationList(state).map((c) => `${c.peer?.id}:${c.lastMessage?.seq}:${c.unread}`),
    total: selectBadgeTotal(state, Date.now()),
  };
}

describe("conversations: unread derived from the read watermark", () => {
  it.each([
    { name: "nothing yet", actions: [], list: [], total: 0 },
    {
      name: "loaded from the server",
      actions: [listed([summary(fromBob(3), { unreadCount: 2, readSeq: 1 })])],
      list: ["bob:3:2"],
      total: 2,
    },
    {
      name: "live messages count up, mine do not",
      actions: [
        listed([summary(fromBob(1), { unreadCount: 1 })]),
        messageReceived(fromBob(2)),
        messageReceived(toBob(3)),
      ],
      list: ["bob:3:2"],
      total: 2,
    },
    {
      name: "a duplicate or catch-up message counts once",
      actions: [
        listed([summary(fromBob(1), { unreadCount: 1 })]),
        messageReceived(fromBob(1)),
        messageReceived(fromBob(2)),
        messageReceived(fromBob(2)),
      ],
      list: ["bob:2:2"],
      total: 2,
    },
    {
      name: "my receipt from another tab clears it",
      actions: [listed([summary(fromBob(3), { unreadCount: 3 })]), myReceipt(WITH_BOB, 3)],
      list: ["bob:3:0"],
      total: 0,
    },
    {
      name: "a partial read leaves the rest",
      actions: [listed([summary(fromBob(3), { unreadCount: 3 })]), myReceipt(WITH_BOB, 2)],
      list: ["bob:3:1"],
      total: 1,
    },
    {
      name: "the peer's receipt changes nothing of mine",
      actions: [
        listed([summary(fromBob(3), { unreadCount: 3 })]),
        receiptReceived({ conversationId: WITH_BOB, userId: BOB.id, deliveredSeq: 3, readSeq: 3 }),
      ],
      list: ["bob:3:3"],
      total: 3,
    },
    {
      name: "reading in this tab clears it before the server's echo",
      actions: [
        listed([summary(fromBob(2), { unreadCount: 2 })]),
        readReceiptSent({ conversationId: WITH_BOB, readSeq: 2 }),
      ],
      list: ["bob:2:0"],
      total: 0,
    },
    {
      name: "a watermark never moves back",
      actions: [
        listed([summary(fromBob(3), { unreadCount: 3 })]),
        myReceipt(WITH_BOB, 3),
        myReceipt(WITH_BOB, 1),
        messageReceived(fromBob(4)),
      ],
      list: ["bob:4:1"],
      total: 1,
    },
    {
      name: "a new conversation is listed once its peer is known, newest first",
      actions: [
        listed([summary(fromBob(1), { unreadCount: 1 })]),
        messageReceived(fromCarol(1)),
        messageReceived(fromCarol(2)),
      ],
      list: ["bob:1:1"],
      total: 3,
    },
    {
      name: "…and then shows",
      actions: [
        listed([summary(fromBob(1), { unreadCount: 1 })]),
        messageReceived(fromCarol(1)),
        messageReceived(fromCarol(2)),
        peerLoaded(CAROL),
      ],
      list: ["carol:2:2", "bob:1:1"],
      total: 3,
    },
  ])("$name", ({ actions, list, total }) => {
    expect(run(actions)).toEqual({ list, total });
  });

  it.each([
    { name: "the snapshot after the live message", order: "live first" },
    { name: "the live message after the snapshot", order: "snapshot first" },
  ])("a snapshot older than a live message does not lose it: $name", ({ order }) => {
    const snapshot = listed([summary(fromBob(1), { unreadCount: 1 })]);
    const live = messageReceived(fromBob(2));
    const actions = order === "live first" ? [live, snapshot, peerLoaded(BOB)] : [snapshot, live];
    expect(run(actions)).toEqual({ list: ["bob:2:2"], total: 2 });
  });

  it("previews the edited or deleted last message", () => {
    const deleted = { ...fromBob(1), body: "", deletedAt: "2025-01-01T13:00:00.000Z", rev: 2 };
    const store = makeStore();
    for (const step of [sessionVerified(ME), listed([summary(fromBob(1))]), messageUpdated(deleted)])
      store.dispatch(step);
    expect(selectConversationList(store.getState())[0]?.lastMessage).toEqual(deleted);
  });

  it.each([
    [0, "Parley"],
    [1, "(1) Parley"],
    [2, "(2) Parley"],
  ])("titles %i unread as %s", (total, title) => {
    expect(titleFor(total)).toBe(title);
  });

  it("keeps conversations apart", () => {
    expect(
      run([
        listed([summary(fromBob(1), { unreadCount: 1 }), summary(fromCarol(5), { unreadCount: 5 })]),
        myReceipt(WITH_CAROL, 5),
      ]),
    ).toEqual({
      list: ["carol:5:0", "bob:1:1"],
      total: 1,
    });
  });
});

describe("conversations: the walk through the list's pages", () => {
  const page = (conversations: ConversationSummary[], nextBefore: string | null) => listPage(conversations, nextBefore);
  const firstPage = page([summary(fromBob(2))], "after-bob");
  const secondPage = olderConversationsListed({ before: "after-bob", page: page([summary(fromCarol(1))], null) });

  function walk(steps: UnknownAction[]) {
    const store = makeStore();
    for (const step of [sessionVerified(ME), ...steps]) store.dispatch(step);
    const state = store.getState();
    return {
      list: selectConversationList(state).map((c) => c.peer?.id),
      nextBefore: selectListNextBefore(state),
    };
  }

  it.each([
    { name: "nothing asked yet", steps: [], list: [], nextBefore: undefined },
    { name: "the first page", steps: [conversationsListed(firstPage)], list: ["bob"], nextBefore: "after-bob" },
    {
      name: "then the next, which was the last",
      steps: [conversationsListed(firstPage), secondPage],
      list: ["bob", "carol"],
      nextBefore: null,
    },
    {
      name: "a first page asked again mid-walk (a conversation first seen live) keeps the walk",
      steps: [conversationsListed(firstPage), secondPage, conversationsListed(firstPage)],
      list: ["bob", "carol"],
      nextBefore: null,
    },
    {
      name: "an answer to a page the walk is no longer at adds its lines but does not move it",
      steps: [
        conversationsListed(firstPage),
        olderConversationsListed({ before: "elsewhere", page: page([summary(fromCarol(1))], "after-carol") }),
      ],
      list: ["bob", "carol"],
      nextBefore: "after-bob",
    },
    {
      name: "a reconnect starts the walk again from its first page, keeping what is held",
      steps: [
        conversationsListed(firstPage),
        secondPage,
        connectionStatusChanged("reconnecting"),
        connectionStatusChanged("connected"),
        conversationsListed(firstPage),
      ],
      list: ["bob", "carol"],
      nextBefore: "after-bob",
    },
  ])("$name", ({ steps, list, nextBefore }) => {
    expect(walk(steps)).toEqual({ list, nextBefore });
  });
});

describe("conversations: the badge follows each conversation's notify level", () => {
  const NOW = Date.parse("2025-01-01T12:00:00.000Z");
  const later = new Date(NOW + 60_000).toISOString();
  const earlier = new Date(NOW - 60_000).toISOString();
  const mentioning = (seq: number) => ({ ...fromBob(seq), mentions: [ME.id] });

  function badge(steps: UnknownAction[]) {
    const store = makeStore();
    for (const step of [sessionVerified(ME), ...steps]) store.dispatch(step);
    return selectBadgeTotal(store.getState(), NOW);
  }
  const settings = (notify: "all" | "mentions" | "none", mutedUntil: string | null = null) =>
    conversationSettingsReceived({ conversationId: WITH_BOB, notify, mutedUntil });
  const bobListed = listed([summary(fromBob(3), { unreadCount: 3, mentionCount: 1 })]);

  it.each<[string, UnknownAction[], number]>([
    ["all: every unread message", [bobListed], 3],
    ["mentions: the unread mentions", [bobListed, settings("mentions")], 1],
    [
      "mentions: a live mention counts, a live plain message does not",
      [bobListed, settings("mentions"), messageReceived(mentioning(4)), messageReceived(fromBob(5))],
      2,
    ],
    [
      "mentions: never more than the unread after reading",
      [bobListed, settings("mentions"), myReceipt(WITH_BOB, 3)],
      0,
    ],
    ["none: nothing", [bobListed, settings("none")], 0],
    ["muted until later: nothing, whatever the level", [bobListed, settings("all", later)], 0],
    ["a mute that has ended: the level again", [bobListed, settings("all", earlier)], 3],
    ["listed muted", [listed([summary(fromBob(3), { unreadCount: 3, mutedUntil: later })])], 0],
    [
      "the other conversations still count",
      [bobListed, settings("none"), listed([summary(fromCarol(2), { unreadCount: 2 })])],
      2,
    ],
  ])("%s", (_case, steps, expected) => {
    expect(badge(steps)).toBe(expected);
  });
});
