import type { UnknownAction } from "@reduxjs/toolkit";
import { describe, expect, it } from "vitest";
import { conversationIdFor, LIMITS, type DmJoinResult, type Message } from "../../../../shared/protocol";
import { makeStore, type RootState } from "../../app/store";
import { makeMessage, makeOutgoing, makeUser } from "../../test/factories";
import { signedOut } from "../auth/authSlice";
import {
  chatSlice,
  conversationJoined,
  conversationJoinFailed,
  conversationOpened,
  conversationRejoinRequested,
  messageAcked,
  messageReceived,
  messageDiscarded,
  messageResendRequested,
  messageSendFailed,
  messageSendRequested,
  messageSendThrottled,
  messageUpdated,
  changesCaughtUp,
  changesLoaded,
  missedMessagesLoaded,
  olderMessagesLoaded,
  outboxRestored,
  receiptReceived,
  typingReceived,
  type ChatState,
} from "./chatSlice";
import {
  selectDeliveryState,
  selectHasOlder,
  selectHighestContiguousSeq,
  selectSendQueue,
  selectTimeline,
  type TimelineItem,
} from "./selectors";

const ME = "alice";
const PEER = "bob";
const OTHER = "carol";
const CONVERSATION = conversationIdFor(ME, PEER);
const OTHER_CONVERSATION = conversationIdFor(ME, OTHER);

const opened = conversationOpened({ conversationId: CONVERSATION, peerId: PEER });
const openedOther = conversationOpened({ conversationId: OTHER_CONVERSATION, peerId: OTHER });

function sendRequested(clientId: string, body?: string) {
  return messageSendRequested(makeOutgoing(clientId, body));
}

/** The stored copy of the send `clientId`, as the server acks and broadcasts it. */
function stored(clientId: string, seq: number): Message {
  return makeMessage({ seq, clientId, senderId: ME, recipientId: PEER, body: `body of ${clientId}` });
}

function fromPeer(seq: number): Message {
  return makeMessage({ seq, senderId: PEER, recipientId: ME });
}

function joined(messages: Message[], overrides: Partial<DmJoinResult> = {}, afterSeq?: number) {
  return conversationJoined({
    result: {
      conversationId: CONVERSATION,
      peer: makeUser({ id: PEER }),
      messages,
      hasMore: false,
      readSeq: 0,
      visibleFromSeq: 1,
      peerReadSeq: 0,
      peerDeliveredSeq: 0,
      rev: 0,
      changed: [],
      changedHasMore: false,
      ...overrides,
    },
    afterSeq,
  });
}

function reduce(actions: UnknownAction[]): ChatState {
  return actions.reduce<ChatState>((state, action) => chatSlice.reducer(state, action), chatSlice.getInitialState());
}

function rootState(chat: ChatState): RootState {
  return { ...makeStore().getState(), chat };
}

/** A compact picture of the timeline: "seq:clientId" when confirmed, "status:clientId" while unconfirmed. */
function timeline(actions: UnknownAction[], conversationId = CONVERSATION): string[] {
  return selectTimeline(rootState(reduce(actions)), conversationId).map(describeItem);
}

function describeItem(item: TimelineItem): string {
  return item.kind === "confirmed"
    ? `${item.message.seq}:${item.message.clientId}`
    : `${item.message.status}:${item.message.clientId}`;
}

/** Every ordering of `items`, to run arrival-order cases in each order. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

describe("chatSlice: sending", () => {
  it("shows a send at once as pending, before any answer", () => {
    expect(timeline([opened, sendRequested("c1")])).toEqual(["pending:c1"]);
  });

  it("opens the conversation when the first send comes before the route did", () => {
    expect(timeline([sendRequested("c1")])).toEqual(["pending:c1"]);
  });

  it.each([
    { name: "ack before broadcast", arrivals: [messageAcked(stored("c1", 1)), messageReceived(stored("c1", 1))] },
    { name: "broadcast before ack", arrivals: [messageReceived(stored("c1", 1)), messageAcked(stored("c1", 1))] },
    { name: "ack only", arrivals: [messageAcked(stored("c1", 1))] },
    { name: "broadcast only", arrivals: [messageReceived(stored("c1", 1))] },
    { name: "join catch-up then ack", arrivals: [joined([stored("c1", 1)], {}, 0), messageAcked(stored("c1", 1))] },
    { name: "ack then join catch-up", arrivals: [messageAcked(stored("c1", 1)), joined([stored("c1", 1)], {}, 0)] },
  ])("$name turns the pending send into one sent message", ({ arrivals }) => {
    expect(timeline([opened, sendRequested("c1"), ...arrivals])).toEqual(["1:c1"]);
  });

  it.each([
    { name: "timeout, then broadcast", arrivals: [timedOut("c1"), messageReceived(stored("c1", 1))] },
    { name: "broadcast, then timeout", arrivals: [messageReceived(stored("c1", 1)), timedOut("c1")] },
  ])("a send that timed out but was stored ends sent, once: $name", ({ arrivals }) => {
    expect(timeline([opened, sendRequested("c1"), ...arrivals])).toEqual(["1:c1"]);
  });

  it("marks a rejected send failed with its reason, and a resend makes it pending again", () => {
    const failure = { code: "RATE_LIMITED" as const, message: "Slow down" };
    const failed = reduce([
      opened,
      sendRequested("c1"),
      messageSendFailed({ conversationId: CONVERSATION, clientId: "c1", failure }),
    ]);
    expect(failed.conversations[CONVERSATION]?.pending.entities.c1).toMatchObject({ status: "failed", failure });

    const resent = chatSlice.reducer(failed, messageResendRequested({ conversationId: CONVERSATION, clientId: "c1" }));
    expect(resent.conversations[CONVERSATION]?.pending.entities.c1).toMatchObject({ status: "pending", failure: null });
  });

  it("keeps a rate-limited send pending with its wait until it is stored", () => {
    const failure = { code: "RATE_LIMITED" as const, message: "sending too fast", retryAfterMs: 2000 };
    const throttled = messageSendThrottled({ conversationId: CONVERSATION, clientId: "c1", failure });
    const state = reduce([opened, sendRequested("c1"), throttled]);
    expect(state.conversations[CONVERSATION]?.pending.entities.c1).toMatchObject({ status: "pending", failure });
    expect(timeline([opened, sendRequested("c1"), throttled, messageAcked(stored("c1", 1))])).toEqual(["1:c1"]);
  });

  it("keeps unconfirmed sends after confirmed ones in send order, then places each by its assigned seq", () => {
    const sent = [opened, sendRequested("c1"), sendRequested("c2"), messageReceived(fromPeer(1))];
    expect(timeline(sent)).toEqual(["1:client-1-bob", "pending:c1", "pending:c2"]);
    expect(timeline([...sent, messageAcked(stored("c2", 2))])).toEqual(["1:client-1-bob", "2:c2", "pending:c1"]);
    expect(timeline([...sent, messageAcked(stored("c2", 2)), messageAcked(stored("c1", 3))])).toEqual([
      "1:client-1-bob",
      "2:c2",
      "3:c1",
    ]);
  });

  it("does not settle a pending send with a message of the same clientId from someone else", () => {
    const foreign = makeMessage({ seq: 1, clientId: "c1", senderId: PEER, recipientId: ME });
    expect(timeline([opened, sendRequested("c1"), messageReceived(foreign)])).toEqual(["1:c1", "pending:c1"]);
  });
});

function timedOut(clientId: string) {
  return messageSendFailed({
    conversationId: CONVERSATION,
    clientId,
    failure: { code: "TIMEOUT", message: "No answer" },
  });
}

describe("chatSlice: receiving", () => {
  it.each([
    { name: "broadcast twice", arrivals: [messageReceived(fromPeer(1)), messageReceived(fromPeer(1))] },
    { name: "broadcast, then in the join catch-up", arrivals: [messageReceived(fromPeer(1)), joined([fromPeer(1)])] },
    { name: "join catch-up, then broadcast", arrivals: [joined([fromPeer(1)]), messageReceived(fromPeer(1))] },
    {
      name: "broadcast, then in a missed page",
      arrivals: [
        messageReceived(fromPeer(1)),
        missedMessagesLoaded({ conversationId: CONVERSATION, messages: [fromPeer(1)] }),
      ],
    },
  ])("keeps a duplicate once: $name", ({ arrivals }) => {
    expect(timeline([opened, ...arrivals])).toEqual(["1:client-1-bob"]);
  });

  it.each(permutations([1, 2, 3]).map((order) => ({ order })))(
    "sorts by seq whatever the arrival order: $order",
    ({ order }) => {
      const arrivals = order.map((seq) => messageReceived(fromPeer(seq)));
      expect(timeline([opened, ...arrivals])).toEqual(["1:client-1-bob", "2:client-2-bob", "3:client-3-bob"]);
    },
  );

  it.each([
    { held: [] as number[], expected: undefined },
    { held: [1, 2, 3], expected: 3 },
    { held: [1, 2, 4], expected: 2 },
    { held: [4, 1, 2], expected: 2 },
  ])("rejoins after the highest contiguous seq: holding $held → $expected", ({ held, expected }) => {
    const state = reduce([opened, ...held.map((seq) => messageReceived(fromPeer(seq)))]);
    expect(selectHighestContiguousSeq(rootState(state), CONVERSATION)).toBe(expected);
  });

  it("fills a gap when the catch-up brings the missing seq", () => {
    const withGap = [opened, messageReceived(fromPeer(1)), messageReceived(fromPeer(3))];
    const state = reduce([...withGap, joined([fromPeer(2), fromPeer(3)], {}, 1)]);
    expect(selectHighestContiguousSeq(rootState(state), CONVERSATION)).toBe(3);
  });

  it("merges older pages below what is held and records whether more exist", () => {
    const actions = [
      opened,
      joined([fromPeer(3), fromPeer(4)], { hasMore: true }),
      olderMessagesLoaded({ conversationId: CONVERSATION, messages: [fromPeer(1), fromPeer(2)], hasMore: false }),
    ];
    expect(timeline(actions)).toEqual(["1:client-1-bob", "2:client-2-bob", "3:client-3-bob", "4:client-4-bob"]);
    expect(selectHasOlder(rootState(reduce(actions)), CONVERSATION)).toBe(false);
  });

  it.each([
    { name: "a first join reports older messages", afterSeq: undefined, expected: true },
    { name: "a catch-up join reports newer ones, not older", afterSeq: 4, expected: false },
  ])("join hasMore: $name", ({ afterSeq, expected }) => {
    const state = reduce([opened, joined([fromPeer(5)], { hasMore: true }, afterSeq)]);
    expect(selectHasOlder(rootState(state), CONVERSATION)).toBe(expected);
  });

  it.each([
    { name: "update after ack", arrivals: [messageAcked(stored("c1", 1)), messageUpdated(editedCopy())] },
    {
      name: "stale ack after the update",
      arrivals: [messageReceived(stored("c1", 1)), messageUpdated(editedCopy()), messageAcked(stored("c1", 1))],
    },
  ])("keeps the edited copy: $name", ({ arrivals }) => {
    const state = reduce([opened, sendRequested("c1"), ...arrivals]);
    expect(state.conversations[CONVERSATION]?.messages.entities.m1?.body).toBe("edited");
  });

  it("ignores an update of a message that is not held", () => {
    expect(timeline([opened, messageUpdated(editedCopy())])).toEqual([]);
  });
});

function editedCopy(): Message {
  return { ...stored("c1", 1), body: "edited", editedAt: "2025-01-02T00:00:00.000Z", rev: 2 };
}

describe("chatSlice: the highest rev of each message wins", () => {
  const original = stored("c1", 1);
  const edited: Message = { ...original, body: "edited", editedAt: "2025-01-02T00:00:00.000Z", rev: 4 };
  const deleted: Message = { ...original, body: "", deletedAt: "2025-01-02T00:01:00.000Z", rev: 7 };
  const held = [opened, sendRequested("c1"), messageAcked(original)];

  /** Every way a copy of a stored message reaches the slice. */
  const sources: Record<string, (message: Message) => UnknownAction> = {
    ack: (message) => messageAcked(message),
    broadcast: (message) => messageReceived(message),
    update: (message) => messageUpdated(message),
    "history page": (message) =>
      olderMessagesLoaded({ conversationId: CONVERSATION, messages: [message], hasMore: false }),
    "missed page": (message) => missedMessagesLoaded({ conversationId: CONVERSATION, messages: [message] }),
    "join page": (message) => joined([message], {}, 0),
    "join changed": (message) => joined([], { changed: [message], rev: message.rev }, 1),
    "changes page": (message) => changesLoaded({ conversationId: CONVERSATION, messages: [message] }),
  };
  const pairs = Object.keys(sources).flatMap((older) => Object.keys(sources).map((newer) => ({ older, newer })));

  function bodyAfter(arrivals: UnknownAction[]) {
    const message = reduce([...held, ...arrivals]).conversations[CONVERSATION]?.messages.entities[original.id];
    return { body: message?.body, rev: message?.rev };
  }

  it.each(pairs)("an edit by $older and a delete by $newer end deleted, in either order", ({ older, newer }) => {
    const first = sources[older]!(edited);
    const second = sources[newer]!(deleted);
    expect(bodyAfter([first, second])).toEqual({ body: "", rev: 7 });
    expect(bodyAfter([second, first])).toEqual({ body: "", rev: 7 });
  });

  it.each(pairs)("a stale copy by $older never undoes an edit by $newer, in either order", ({ older, newer }) => {
    const stale = sources[older]!(original);
    const edit = sources[newer]!(edited);
    expect(bodyAfter([stale, edit])).toEqual({ body: "edited", rev: 4 });
    expect(bodyAfter([edit, stale])).toEqual({ body: "edited", rev: 4 });
  });

  it("ignores changes of messages not held, so they leave no hole in the history", () => {
    const far = { ...fromPeer(1), body: "edited far up", rev: 40 };
    const actions = [
      opened,
      joined([fromPeer(50)], { rev: 50 }),
      joined([], { changed: [far], rev: 60 }, 50),
      changesLoaded({ conversationId: CONVERSATION, messages: [far] }),
    ];
    expect(timeline(actions)).toEqual(["50:client-50-bob"]);
    expect(selectHighestContiguousSeq(rootState(reduce(actions)), CONVERSATION)).toBe(50);
  });
});

describe("chatSlice: the sync point for catching up changes", () => {
  const synced = (actions: UnknownAction[]) => reduce(actions).conversations[CONVERSATION]?.syncedRev;
  const caughtUp = (rev: number) => changesCaughtUp({ conversationId: CONVERSATION, rev });

  it.each<[string, UnknownAction[], number | null]>([
    ["none before a join", [opened], null],
    ["a first join sets it to the conversation's rev", [opened, joined([fromPeer(1)], { rev: 3 })], 3],
    [
      "a catch-up with every change in the join moves it",
      [opened, joined([fromPeer(1)], { rev: 3 }), joined([], { rev: 8 }, 1)],
      8,
    ],
    [
      "a catch-up with more changes to fetch keeps the old one",
      [opened, joined([fromPeer(1)], { rev: 3 }), joined([], { rev: 8, changedHasMore: true }, 1)],
      3,
    ],
    [
      "the fetched rest moves it to the join's rev",
      [opened, joined([fromPeer(1)], { rev: 3 }), joined([], { rev: 8, changedHasMore: true }, 1), caughtUp(8)],
      8,
    ],
    [
      "a catch-up finishing after a later one does not move it back",
      [opened, joined([fromPeer(1)], { rev: 3 }), joined([], { rev: 9 }, 1), caughtUp(8)],
      9,
    ],
    ["live revs do not move it", [opened, joined([], { rev: 3 }), messageReceived({ ...fromPeer(1), rev: 4 })], 3],
  ])("%s", (_, actions, expected) => {
    expect(synced(actions)).toBe(expected);
  });
});

describe("chatSlice: switching conversations", () => {
  it("keeps each conversation's messages apart, even when they arrive while the other is open", () => {
    const fromOther = makeMessage({ seq: 1, senderId: OTHER, recipientId: ME });
    const actions = [
      opened,
      messageReceived(fromPeer(1)),
      openedOther,
      messageReceived(fromOther),
      messageReceived(fromPeer(2)),
    ];
    expect(timeline(actions, OTHER_CONVERSATION)).toEqual(["1:client-1-carol"]);
    expect(timeline(actions, CONVERSATION)).toEqual(["1:client-1-bob", "2:client-2-bob"]);
  });

  it("keeps what was held when a conversation is opened again, pending sends included", () => {
    const actions = [opened, messageReceived(fromPeer(1)), sendRequested("c1"), openedOther, opened];
    expect(timeline(actions)).toEqual(["1:client-1-bob", "pending:c1"]);
  });

  it("ignores messages of a conversation that was never opened; its join loads them", () => {
    const fromOther = makeMessage({ seq: 7, senderId: OTHER, recipientId: ME });
    expect(timeline([opened, messageReceived(fromOther)], OTHER_CONVERSATION)).toEqual([]);
  });

  it.each<[string, UnknownAction[], { historyLoaded: boolean; joinError: string | null }]>([
    ["opened, not joined yet", [opened], { historyLoaded: false, joinError: null }],
    ["joined", [opened, joined([])], { historyLoaded: true, joinError: null }],
    [
      "reopened after a join: what is held is shown at once",
      [opened, joined([]), openedOther, opened],
      { historyLoaded: true, joinError: null },
    ],
    [
      "join failed",
      [opened, conversationJoinFailed({ conversationId: CONVERSATION, error: { code: "INTERNAL", message: "boom" } })],
      { historyLoaded: false, joinError: "boom" },
    ],
    [
      "rejoin requested after a failure",
      [
        opened,
        conversationJoinFailed({ conversationId: CONVERSATION, error: { code: "INTERNAL", message: "boom" } }),
        conversationRejoinRequested({ conversationId: CONVERSATION }),
      ],
      { historyLoaded: false, joinError: null },
    ],
  ])("history state: %s", (_, actions, expected) => {
    const conversation = reduce(actions).conversations[CONVERSATION];
    expect({ historyLoaded: conversation?.historyLoaded, joinError: conversation?.joinError?.message ?? null }).toEqual(
      expected,
    );
  });

  it("forgets everything on sign-out", () => {
    const state = reduce([opened, messageReceived(fromPeer(1)), sendRequested("c1"), signedOut()]);
    expect(state).toEqual(chatSlice.getInitialState());
  });
});

describe("chatSlice: receipts and typing", () => {
  const early = receiptReceived({ conversationId: CONVERSATION, userId: PEER, deliveredSeq: 2, readSeq: 1 });
  const late = receiptReceived({ conversationId: CONVERSATION, userId: PEER, deliveredSeq: 3, readSeq: 3 });

  it.each([
    { name: "in order", arrivals: [early, late] },
    { name: "out of order", arrivals: [late, early] },
  ])("peer watermarks only move forward: $name", ({ arrivals }) => {
    const state = reduce([opened, ...arrivals]);
    expect(state.conversations[CONVERSATION]).toMatchObject({ peerDeliveredSeq: 3, peerReadSeq: 3, readSeq: 0 });
  });

  it("applies my own receipts (from any tab) to my read watermark", () => {
    const state = reduce([
      opened,
      receiptReceived({ conversationId: CONVERSATION, userId: ME, deliveredSeq: 4, readSeq: 4 }),
    ]);
    expect(state.conversations[CONVERSATION]).toMatchObject({ readSeq: 4, peerReadSeq: 0 });
  });

  it.each([
    { peerDeliveredSeq: 0, peerReadSeq: 0, expected: "sent" },
    { peerDeliveredSeq: 2, peerReadSeq: 0, expected: "delivered" },
    { peerDeliveredSeq: 2, peerReadSeq: 2, expected: "read" },
  ])(
    "delivery of seq 2 with delivered $peerDeliveredSeq, read $peerReadSeq → $expected",
    ({ expected, ...watermarks }) => {
      const state = reduce([opened, joined([], watermarks)]);
      expect(selectDeliveryState(rootState(state), CONVERSATION, 2)).toBe(expected);
    },
  );

  it("expires the peer's typing after the protocol delay and clears it on their message", () => {
    const typing = typingReceived({ conversationId: CONVERSATION, userId: PEER, typing: true });
    const state = reduce([opened, typing]);
    expect(state.conversations[CONVERSATION]?.peerTypingUntil).toBe(typing.payload.receivedAt + LIMITS.typingExpiryMs);
    expect(
      chatSlice.reducer(state, messageReceived(fromPeer(1))).conversations[CONVERSATION]?.peerTypingUntil,
    ).toBeNull();
  });
});

describe("selectors", () => {
  it("returns the same timeline for the same state, so lists do not re-render for nothing", () => {
    const root = rootState(reduce([opened, messageReceived(fromPeer(1)), sendRequested("c1")]));
    expect(selectTimeline(root, CONVERSATION)).toBe(selectTimeline(root, CONVERSATION));
  });

  it("keeps the item of every unchanged message when one arrives, so only the new row renders", () => {
    const before = reduce([opened, messageReceived(fromPeer(1)), messageReceived(fromPeer(2)), sendRequested("c1")]);
    const [one, two, pending] = selectTimeline(rootState(before), CONVERSATION);
    const edited = { ...fromPeer(2), body: "edited", rev: 9 };
    const after = [messageReceived(fromPeer(3)), messageUpdated(edited)].reduce(chatSlice.reducer, before);
    const items = selectTimeline(rootState(after), CONVERSATION);
    expect(items[0]).toBe(one);
    expect(items[1]).not.toBe(two);
    expect(items[1]?.message.body).toBe("edited");
    expect(items[3]).toBe(pending);
  });

  it("gives an empty timeline for an unknown conversation", () => {
    expect(timeline([], "dm:x:y")).toEqual([]);
  });

  it("queues pending sends in send order; failed ones wait until the user retries them", () => {
    const rejected = messageSendFailed({
      conversationId: CONVERSATION,
      clientId: "c3",
      failure: { code: "VALIDATION", message: "Too long" },
    });
    const state = reduce([
      opened,
      sendRequested("c1"),
      sendRequested("c2"),
      sendRequested("c3"),
      timedOut("c2"),
      rejected,
    ]);
    expect(selectSendQueue(rootState(state), CONVERSATION).map((message) => message.clientId)).toEqual(["c1"]);
    const retried = chatSlice.reducer(state, messageResendRequested({ conversationId: CONVERSATION, clientId: "c2" }));
    expect(selectSendQueue(rootState(retried), CONVERSATION).map((message) => message.clientId)).toEqual(["c1", "c2"]);
  });
});

describe("chatSlice: retry after a lost ack", () => {
  // The first attempt was stored but its ack was lost; the retry's ack carries the same id and seq.
  const retried = messageResendRequested({ conversationId: CONVERSATION, clientId: "c1" });
  it.each([
    {
      name: "retry acked, then the broadcast",
      arrivals: [messageAcked(stored("c1", 1)), messageReceived(stored("c1", 1))],
    },
    {
      name: "broadcast, then the retry acked",
      arrivals: [messageReceived(stored("c1", 1)), messageAcked(stored("c1", 1))],
    },
    {
      name: "broadcast, retry acked, then the rejoin catch-up",
      arrivals: [messageReceived(stored("c1", 1)), messageAcked(stored("c1", 1)), joined([stored("c1", 1)], {}, 0)],
    },
  ])("shows exactly one message: $name", ({ arrivals }) => {
    expect(timeline([opened, sendRequested("c1"), timedOut("c1"), retried, ...arrivals])).toEqual(["1:c1"]);
  });

  it("keeps a discarded send out, and the outbox restored after a reload in its order", () => {
    const asPending = (clientId: string) => ({
      ...sendRequested(clientId).payload,
      status: "pending" as const,
      failure: null,
    });
    const restored = outboxRestored({ conversationId: CONVERSATION, messages: [asPending("c1"), asPending("c2")] });
    const discarded = messageDiscarded({ conversationId: CONVERSATION, clientId: "c1" });
    expect(timeline([opened, restored])).toEqual(["pending:c1", "pending:c2"]);
    expect(timeline([opened, restored, discarded])).toEqual(["pending:c2"]);
  });
});

describe("chatSlice replies", () => {
  const parent = makeMessage({ seq: 1, senderId: PEER, recipientId: ME, body: "the parent" });
  const quote = { id: parent.id, seq: 1, senderId: PEER, excerpt: "the parent", deleted: false };
  const reply = makeMessage({ seq: 2, body: "an answer", replyTo: quote });
  const other = makeMessage({ seq: 3, body: "no reply" });

  function storeWith(messages: Message[]) {
    const store = makeStore();
    store.dispatch(opened);
    for (const message of messages) store.dispatch(messageReceived(message));
    return store;
  }
  const held = (store: ReturnType<typeof makeStore>, id: string) =>
    store.getState().chat.conversations[CONVERSATION]?.messages.entities[id];

  it("patches the quote of loaded replies when their parent is edited: its first 100 code points", () => {
    const store = storeWith([parent, reply, other]);
    const longBody = "😀".repeat(99) + "ab";
    store.dispatch(messageUpdated({ ...parent, body: longBody, editedAt: parent.createdAt, rev: 10 }));
    expect(held(store, reply.id)?.replyTo).toEqual({ ...quote, excerpt: "😀".repeat(99) + "a" });
    expect(held(store, reply.id)?.rev).toBe(reply.rev);
    expect(held(store, other.id)).toEqual(other);
  });

  it("marks the quote deleted, with no excerpt, when the parent is deleted; an older copy changes nothing", () => {
    const store = storeWith([parent, reply]);
    store.dispatch(messageUpdated({ ...parent, body: "", deletedAt: parent.createdAt, rev: 10 }));
    expect(held(store, reply.id)?.replyTo).toEqual({ ...quote, excerpt: "", deleted: true });
    store.dispatch(messageUpdated({ ...parent, body: "stale edit", rev: 5 }));
    expect(held(store, reply.id)?.replyTo).toEqual({ ...quote, excerpt: "", deleted: true });
  });

  it("patches replies from a catch-up's changes too", () => {
    const store = storeWith([parent, reply]);
    store.dispatch(
      changesLoaded({ conversationId: CONVERSATION, messages: [{ ...parent, body: "caught up", rev: 9 }] }),
    );
    expect(held(store, reply.id)?.replyTo?.excerpt).toBe("caught up");
  });

  it("keeps the quote on a pending reply, and its stored copy replaces it", () => {
    const store = storeWith([parent]);
    store.dispatch(messageSendRequested({ ...makeOutgoing("c1", "answer"), replyTo: quote }));
    expect(selectTimeline(store.getState(), CONVERSATION).at(-1)?.message.replyTo).toEqual(quote);
    store.dispatch(messageAcked(makeMessage({ seq: 2, clientId: "c1", body: "answer", replyTo: quote })));
    expect(store.getState().chat.conversations[CONVERSATION]?.pending.ids).toEqual([]);
  });
});
