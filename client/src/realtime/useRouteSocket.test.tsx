import { act, screen, waitFor, within } from "@testing-library/react";
import { StrictMode, useState } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { conversationIdFor, type DmJoinResult, type DmSummary, type Message } from "../../../shared/protocol";
import { FIRST_LIST_PAGE, listPage, makeMessage, makeUser } from "../test/factories";
import { stubFetch } from "../test/fetchStub";
import { renderWithProviders } from "../test/renderWithProviders";
import { Composer } from "../features/chat/Composer";
import { ConversationMembersContext } from "../features/chat/conversationMembers";
import { ConnectionBanner, ConnectionStatus } from "../features/chat/ConnectionStatus";
import { MessageList } from "../features/chat/MessageList";
import { TypingIndicator } from "../features/chat/TypingIndicator";
import { useRouteSocket } from "./useRouteSocket";
import { stubViewportForEachTest } from "../features/chat/viewportStub";
import { HomePage } from "../features/conversations/HomePage";
import { selectConversationList } from "../features/conversations/selectors";
import { SignedInUserContext } from "../features/auth/SignedInUser";
import { selectPresence } from "../features/presence/presenceSlice";
import { sockets, type FakeSocket } from "../test/fakeSocket";

vi.mock("socket.io-client", async () => (await import("../test/fakeSocket")).socketIoStub);

const ME = makeUser({ id: "alice" });
const PEER = makeUser({ id: "bob" });
const CONVERSATION = conversationIdFor(ME.id, PEER.id);
const MEMBERS = { selfId: ME.id, members: [ME, PEER] };

function Chat({ peerId }: { peerId: string }) {
  const { send, retry, discard, edit, remove, react, rejoin, reconnect, notifyTyping } = useRouteSocket(peerId, ME.id);
  const conversationId = conversationIdFor(ME.id, peerId);
  const [replyingTo, setReplyingTo] = useState<Message | null>(null);
  return (
    <ConversationMembersContext value={MEMBERS}>
      <ConnectionStatus />
      <ConnectionBanner onReconnect={reconnect} />
      <MessageList
        conversationId={conversationId}
        selfId={ME.id}
        peerName={PEER.displayName}
        onRetry={retry}
        onDiscard={discard}
        onEdit={edit}
        onDelete={remove}
        onReply={setReplyingTo}
        onReact={react}
        onRetryJoin={rejoin}
        hasOlder={false}
        loadingOlder={false}
        olderError={null}
        onLoadOlder={() => {}}
      />
      <TypingIndicator conversationId={conversationId} peerName={PEER.displayName} />
      <Composer
        conversationId={conversationId}
        onSend={send}
        onTyping={notifyTyping}
        replyingTo={replyingTo}
        onCancelReply={() => setReplyingTo(null)}
      />
    </ConversationMembersContext>
  );
}

function Home() {
  useRouteSocket(null, ME.id);
  return null;
}

/** The real home page on its route socket, as app/LiveHomeRoute composes it. */
function LiveHome() {
  useRouteSocket(null, ME.id);
  return <HomePage accountMenu={null} />;
}

function renderChat(peerId = PEER.id) {
  return renderWithProviders(
    <StrictMode>
      <Chat peerId={peerId} />
    </StrictMode>,
    { preloadedState: { auth: { status: "signedIn", token: "t-alice", user: ME } } },
  );
}

function liveSocket(): FakeSocket {
  const live = sockets.filter((socket) => socket.active);
  expect(live).toHaveLength(1);
  return live[0]!;
}

function joinResult(messages: Message[], overrides: Partial<DmJoinResult> = {}) {
  return {
    visibleFromSeq: 1,
    ok: true,
    conversationId: CONVERSATION,
    peer: PEER,
    messages,
    hasMore: false,
    readSeq: 0,
    peerReadSeq: 0,
    peerDeliveredSeq: 0,
    rev: messages.at(-1)?.rev ?? 0,
    changed: [],
    changedHasMore: false,
    ...overrides,
  };
}

beforeEach(() => {
  sockets.length = 0;
  stubFetch([{ path: FIRST_LIST_PAGE, body: listPage([]) }]);
});

stubViewportForEachTest();

describe("useRouteSocket", () => {
  it("keeps exactly one live socket under StrictMode, and closes it with its listeners on unmount", () => {
    const { unmount } = renderChat();
    const socket = liveSocket();
    expect(sockets.filter((other) => other !== socket).every((other) => other.listenerCount() === 0)).toBe(true);
    expect(socket.options).toMatchObject({ auth: { token: "t-alice" }, forceNew: true });
    expect(screen.getByTestId("connection-status")).toHaveTextContent("Connecting…");
    socket.connectNow();

    unmount();
    expect(socket).toMatchObject({ active: false });
    expect(socket.listenerCount()).toBe(0);
    expect(socket.last("conversation:leave").payload).toEqual({ peerId: PEER.id });
  });

  it("joins on connect, sends optimistically, and settles each message once", async () => {
    const { user } = renderChat();
    const socket = liveSocket();
    socket.connectNow();
    expect(screen.getByTestId("connection-status")).toHaveTextContent("Connected");
    const join = socket.last("conversation:join");
    expect(join.payload).toEqual({ peerId: PEER.id });
    socket.answer(join, joinResult([makeMessage({ seq: 1, senderId: PEER.id, recipientId: ME.id, body: "hi alice" })]));

    await user.type(screen.getByLabelText("Message"), "hi bob{Enter}");
    const send = socket.last("message:send");
    const { clientId } = send.payload as { clientId: string };
    expect(send.payload).toEqual({ peerId: PEER.id, clientId, body: "hi bob" });
    expect(screen.getAllByTestId("message").map((row) => row.dataset.status)).toEqual(["sent", "pending"]);

    const stored = makeMessage({ seq: 2, clientId, senderId: ME.id, recipientId: PEER.id, body: "hi bob" });
    socket.serve("message:new", stored);
    socket.answer(send, { ok: true, message: stored });
    socket.serve("message:new", stored);
    expect(screen.getAllByTestId("message").map((row) => [row.dataset.status, row.dataset.seq])).toEqual([
      ["sent", "1"],
      ["sent", "2"],
    ]);
  });

  it("shows a reconnect, then rejoins after the highest contiguous seq held and resends unsettled messages", async () => {
    const { user } = renderChat();
    const socket = liveSocket();
    socket.connectNow();
    socket.answer(
      socket.last("conversation:join"),
      joinResult([1, 2].map((seq) => makeMessage({ seq, senderId: PEER.id, recipientId: ME.id }))),
    );
    await user.type(screen.getByLabelText("Message"), "during the drop{Enter}");
    const firstAttempt = socket.last("message:send");

    socket.connected = false;
    socket.serve("disconnect", "transport close");
    expect(screen.getByTestId("connection-status")).toHaveTextContent("Reconnecting…");
    socket.serveManager("reconnect_attempt", 2);
    expect(screen.getByTestId("connection-status")).toHaveTextContent("Reconnecting… (attempt 2)");
    expect(screen.getByText(/Connection lost, reconnecting/)).toBeInTheDocument();

    await user.type(screen.getByLabelText("Message"), "queued meanwhile");
    expect(screen.getByRole("button", { name: "Send" })).toBeEnabled();
    await user.keyboard("{Enter}");
    expect(socket.emitted.filter((e) => e.event === "message:send")).toHaveLength(1);
    expect(screen.getAllByTestId("message").map((row) => row.dataset.delivery)).toEqual([
      undefined,
      undefined,
      "pending",
      "pending",
    ]);

    socket.connectNow();
    const rejoin = socket.last("conversation:join");
    expect(rejoin.payload).toEqual({ peerId: PEER.id, afterSeq: 2, sinceRev: 2 });
    socket.answer(rejoin, joinResult([]));
    // One at a time, oldest first: the resend of the first, and only once it is acked the queued one.
    const resend = socket.last("message:send");
    expect(resend).not.toBe(firstAttempt);
    expect(resend.payload).toEqual(firstAttempt.payload);
    const { clientId } = resend.payload as { clientId: string };
    socket.answer(resend, {
      ok: true,
      message: makeMessage({ seq: 3, clientId, senderId: ME.id, recipientId: PEER.id, body: "during the drop" }),
    });
    expect(socket.last("message:send").payload).toMatchObject({ body: "queued meanwhile" });
  });

  it("catches up edits and deletes made while away, fetching the rest over HTTP before moving the sync point", async () => {
    const fromPeer = (seq: number, rev = seq) => makeMessage({ seq, rev, senderId: PEER.id, recipientId: ME.id });
    const fetchMock = stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([]) },
      {
        path: `/api/conversations/${PEER.id}/changes?sinceRev=6&uptoSeq=3`,
        body: {
          messages: [{ ...fromPeer(2, 7), body: "", deletedAt: "2025-01-02T00:00:00.000Z" }],
          rev: 9,
          hasMore: false,
        },
      },
    ]);
    renderChat();
    const socket = liveSocket();
    socket.connectNow();
    socket.answer(
      socket.last("conversation:join"),
      joinResult(
        [1, 2, 3].map((seq) => fromPeer(seq)),
        { rev: 5 },
      ),
    );
    // A live message with a later rev is not a sync point: it may have overtaken changes still unseen.
    socket.serve("message:updated", { ...fromPeer(3, 6), body: "live edit", editedAt: "2025-01-02T00:00:00.000Z" });

    socket.connected = false;
    socket.serve("disconnect", "transport close");
    socket.connectNow();
    const rejoin = socket.last("conversation:join");
    expect(rejoin.payload).toEqual({ peerId: PEER.id, afterSeq: 3, sinceRev: 5 });
    const editedAway = { ...fromPeer(1, 6), body: "edited while away", editedAt: "2025-01-02T00:00:00.000Z" };
    socket.answer(rejoin, joinResult([], { rev: 8, changed: [editedAway], changedHasMore: true }));

    const rows = () => screen.getAllByTestId("message");
    await vi.waitFor(() => expect(rows()[1]).toHaveAttribute("data-deleted", "true"));
    expect(rows()).toHaveLength(3);
    expect(rows()[0]).toHaveTextContent("edited while away");
    expect(rows()[1]).toHaveTextContent("Message deleted");
    expect(rows()[2]).toHaveTextContent("live edit");
    expect(fetchMock).toHaveBeenCalledWith(
      `/api/conversations/${PEER.id}/changes?sinceRev=6&uptoSeq=3`,
      expect.anything(),
    );

    socket.connected = false;
    socket.serve("disconnect", "transport close");
    socket.connectNow();
    expect(socket.last("conversation:join").payload).toEqual({ peerId: PEER.id, afterSeq: 3, sinceRev: 8 });
  });

  it("goes offline with the browser, closing the socket, and reconnects when the browser is back online", () => {
    renderChat();
    const socket = liveSocket();
    socket.connectNow();
    act(() => {
      window.dispatchEvent(new Event("offline"));
    });
    expect(socket.connected).toBe(false);
    expect(screen.getByTestId("connection-status")).toHaveTextContent("Offline");
    act(() => {
      window.dispatchEvent(new Event("online"));
    });
    expect(socket.active).toBe(true);
    socket.connectNow();
    expect(screen.getByTestId("connection-status")).toHaveTextContent("Connected");
  });

  it("signs out when the server refuses the token", () => {
    const { store } = renderChat();
    liveSocket().serve("connect_error", new Error("UNAUTHORIZED"));
    expect(store.getState().auth.status).toBe("signedOut");
  });

  it("explains a handshake refused for too many connections, and reconnects when asked", async () => {
    const { user } = renderChat();
    const socket = liveSocket();
    // The real client closes a socket whose handshake the server refused: nothing retries by itself.
    socket.active = false;
    socket.serve("connect_error", new Error("TOO_MANY_CONNECTIONS"));
    expect(screen.getByTestId("connection-status")).toHaveTextContent("Too many connections");
    expect(screen.getByTestId("connection-banner")).toHaveTextContent("Too many open tabs or devices");

    await user.click(screen.getByRole("button", { name: "Reconnect" }));
    expect(socket.active).toBe(true);
    expect(screen.getByTestId("connection-status")).toHaveTextContent("Connecting…");
    socket.connectNow();
    expect(screen.getByTestId("connection-status")).toHaveTextContent("Connected");
  });

  /** The server closed the socket itself: socket.io-client leaves it closed. */
  function serverDisconnects(socket: FakeSocket) {
    socket.connected = false;
    socket.active = false;
    socket.serve("disconnect", "io server disconnect");
  }

  it("signs out when the server closes the socket of a revoked session", async () => {
    stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([]) },
      { path: "/api/me", status: 401, body: { error: { code: "UNAUTHORIZED", message: "Session revoked" } } },
    ]);
    const { store } = renderChat();
    const socket = liveSocket();
    socket.connectNow();
    serverDisconnects(socket);
    await vi.waitFor(() => expect(store.getState().auth.status).toBe("signedOut"));
    expect(socket.active).toBe(false);
  });

  it("reconnects when the server closed the socket but the session is still valid", async () => {
    stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([]) },
      { path: "/api/me", body: { user: ME } },
    ]);
    const { store } = renderChat();
    const socket = liveSocket();
    socket.connectNow();
    serverDisconnects(socket);
    await vi.waitFor(() => expect(socket.active).toBe(true), { timeout: 3000 });
    expect(store.getState().auth.status).toBe("signedIn");
    expect(screen.getByTestId("connection-status")).toHaveTextContent("Reconnecting…");
  });

  it("joins again once the server allows it when the join was rate limited", async () => {
    renderChat();
    const socket = liveSocket();
    socket.connectNow();
    socket.answer(socket.last("conversation:join"), {
      ok: false,
      error: { code: "RATE_LIMITED", message: "slow down", retryAfterMs: 20 },
    });
    expect(screen.queryByRole("alert")).toBeNull();
    await vi.waitFor(() => expect(socket.emitted.filter((e) => e.event === "conversation:join")).toHaveLength(2));
  });

  it("closes the socket of the previous peer when the route switches, leaving its room", () => {
    const { rerender } = renderChat();
    const first = liveSocket();
    first.connectNow();

    rerender(
      <StrictMode>
        <Chat peerId="carol" />
      </StrictMode>,
    );
    expect(first).toMatchObject({ active: false });
    expect(first.listenerCount()).toBe(0);
    expect(first.last("conversation:leave").payload).toEqual({ peerId: PEER.id });
    liveSocket().connectNow();
    expect(liveSocket().last("conversation:join").payload).toEqual({ peerId: "carol" });
  });

  it("tells the peer about typing at most once per 2 s, and that it stopped when the message is sent", async () => {
    const { user } = renderChat();
    const socket = liveSocket();
    socket.connectNow();
    const typingSent = () => socket.emitted.filter((e) => e.event === "typing").map((e) => e.payload);

    await user.type(screen.getByLabelText("Message"), "hello");
    expect(typingSent()).toEqual([{ peerId: PEER.id, typing: true }]);
    await user.keyboard("{Enter}");
    expect(typingSent()).toEqual([
      { peerId: PEER.id, typing: true },
      { peerId: PEER.id, typing: false },
    ]);
  });

  it("edits and deletes my message through acks, and shows an edit refused by the server beside it", async () => {
    const { user } = renderChat();
    const socket = liveSocket();
    socket.connectNow();
    const mine = makeMessage({ seq: 1, senderId: ME.id, recipientId: PEER.id, body: "see you at 5" });
    socket.answer(socket.last("conversation:join"), joinResult([mine]));
    const row = () => screen.getByTestId("message");

    await user.click(within(row()).getByRole("button", { name: "Message actions" }));
    await user.click(within(row()).getByRole("menuitem", { name: "Edit message" }));
    await user.type(screen.getByLabelText("Edit message text"), "{Backspace}6{Enter}");
    const edit = socket.last("message:edit");
    expect(edit.payload).toEqual({ messageId: mine.id, body: "see you at 6" });
    socket.answer(edit, {
      ok: true,
      message: { ...mine, body: "see you at 6", editedAt: "2025-01-01T13:00:00.000Z", rev: 2 },
    });
    expect(await within(row()).findByTestId("edited-mark")).toBeInTheDocument();
    expect(row()).toHaveTextContent("see you at 6");

    await user.click(within(row()).getByRole("button", { name: "Message actions" }));
    await user.click(within(row()).getByRole("menuitem", { name: "Edit message" }));
    await user.type(screen.getByLabelText("Edit message text"), "!{Enter}");
    socket.answer(socket.last("message:edit"), { ok: false, error: { code: "FORBIDDEN", message: "Not yours" } });
    expect(await within(row()).findByRole("alert")).toHaveTextContent("Not yours");
    await user.keyboard("{Escape}");

    await user.click(within(row()).getByRole("button", { name: "Message actions" }));
    await user.click(within(row()).getByRole("menuitem", { name: "Edit message" }));
    await user.type(screen.getByLabelText("Edit message text"), "?{Enter}");
    socket.answer(socket.last("message:edit"), {
      ok: false,
      error: { code: "RATE_LIMITED", message: "sending too fast", retryAfterMs: 2500 },
    });
    expect(await within(row()).findByRole("alert")).toHaveTextContent("Too many changes at once: try again in 3 s.");
    await user.keyboard("{Escape}");

    await user.click(within(row()).getByRole("button", { name: "Message actions" }));
    await user.click(within(row()).getByRole("menuitem", { name: "Delete message" }));
    await user.click(within(row()).getByRole("button", { name: "Confirm delete" }));
    const remove = socket.last("message:delete");
    expect(remove.payload).toEqual({ messageId: mine.id });
    socket.answer(remove, {
      ok: true,
      message: { ...mine, body: "", deletedAt: "2025-01-01T13:01:00.000Z", rev: 3 },
    });
    expect(row()).toHaveAttribute("data-deleted", "true");
    expect(row()).toHaveTextContent("Message deleted");
    expect(within(row()).queryByRole("button", { name: "Message actions" })).toBeNull();
  });

  it("adds and removes reactions through acks, showing the server's version and its refusals", async () => {
    const { user } = renderChat();
    const socket = liveSocket();
    socket.connectNow();
    const theirs = makeMessage({ seq: 1, senderId: PEER.id, recipientId: ME.id, body: "done!" });
    socket.answer(socket.last("conversation:join"), joinResult([theirs]));
    const row = () => screen.getByTestId("message");

    await user.click(within(row()).getByRole("button", { name: "Add reaction" }));
    await user.click(within(row()).getByRole("menuitem", { name: "React with party" }));
    const add = socket.last("reaction:add");
    expect(add.payload).toEqual({ messageId: theirs.id, emoji: "🎉" });
    socket.answer(add, { ok: true, message: { ...theirs, reactions: [{ emoji: "🎉", userIds: [ME.id] }], rev: 2 } });
    const chip = await within(row()).findByRole("button", { name: /^🎉 1/ });
    expect(chip).toHaveAttribute("aria-pressed", "true");

    await user.click(chip);
    const remove = socket.last("reaction:remove");
    expect(remove.payload).toEqual({ messageId: theirs.id, emoji: "🎉" });
    socket.answer(remove, { ok: false, error: { code: "RATE_LIMITED", message: "slow down", retryAfterMs: 900 } });
    expect(await within(row()).findByRole("alert")).toHaveTextContent("Too many changes at once: try again in 1 s.");
    // A no-op removal is answered without a message: nothing changes, and the error is cleared.
    await user.click(chip);
    socket.answer(socket.last("reaction:remove"), { ok: true });
    await waitFor(() => expect(within(row()).queryByRole("alert")).toBeNull());

    await user.click(within(row()).getByRole("button", { name: "Add reaction" }));
    await user.click(within(row()).getByRole("menuitem", { name: "React with eyes" }));
    socket.answer(socket.last("reaction:add"), {
      ok: false,
      error: { code: "LIMIT_REACHED", message: "at most 20 reactions each" },
    });
    expect(await within(row()).findByRole("alert")).toHaveTextContent("at most 20 reactions each");

    // Someone else's reaction arrives as message:updated; the higher rev wins.
    socket.serve("message:updated", { ...theirs, reactions: [{ emoji: "🎉", userIds: [PEER.id, ME.id] }], rev: 5 });
    socket.serve("message:updated", { ...theirs, reactions: [], rev: 3 });
    expect(within(row()).getByRole("button", { name: "🎉 2: You and Bob" })).toBeVisible();
  });

  it("sends a reply with the parent's id", async () => {
    const { user } = renderChat();
    const socket = liveSocket();
    socket.connectNow();
    const theirs = makeMessage({ seq: 1, senderId: PEER.id, recipientId: ME.id, body: "lunch?" });
    socket.answer(socket.last("conversation:join"), joinResult([theirs]));

    await user.click(screen.getByRole("button", { name: "Message actions" }));
    await user.click(screen.getByRole("menuitem", { name: "Reply to message" }));
    await user.type(screen.getByLabelText("Message"), "yes{Enter}");
    const send = socket.last("message:send");
    expect(send.payload).toMatchObject({ peerId: PEER.id, body: "yes", replyToId: theirs.id });
    const rows = screen.getAllByTestId("message");
    expect(within(rows[1]!).getByRole("button", { name: "Bob: lunch?" })).toBeVisible();
  });

  it("joins again when the join times out, and says so when an edit gets no answer in time", async () => {
    const { user } = renderChat();
    const socket = liveSocket();
    socket.connectNow();
    const firstJoin = socket.last("conversation:join");
    socket.timeOut(firstJoin);
    const secondJoin = socket.last("conversation:join");
    expect(secondJoin).not.toBe(firstJoin);
    const mine = makeMessage({ seq: 1, senderId: ME.id, recipientId: PEER.id, body: "see you at 5" });
    socket.answer(secondJoin, joinResult([mine]));

    const row = () => screen.getByTestId("message");
    await user.click(within(row()).getByRole("button", { name: "Message actions" }));
    await user.click(within(row()).getByRole("menuitem", { name: "Edit message" }));
    await user.type(screen.getByLabelText("Edit message text"), "{Backspace}6{Enter}");
    socket.timeOut(socket.last("message:edit"));
    expect(await within(row()).findByRole("alert")).toHaveTextContent("No answer from the server.");
  });

  it("keeps a send pending when its ack times out after the connection dropped, and resends it on rejoin", async () => {
    const { user } = renderChat();
    const socket = liveSocket();
    socket.connectNow();
    socket.answer(socket.last("conversation:join"), joinResult([]));
    await user.type(screen.getByLabelText("Message"), "into the void{Enter}");
    const attempt = socket.last("message:send");

    socket.connected = false;
    socket.serve("disconnect", "transport close");
    socket.timeOut(attempt);
    expect(screen.getByTestId("message")).toHaveAttribute("data-delivery", "pending");

    socket.connectNow();
    socket.answer(socket.last("conversation:join"), joinResult([]));
    expect(socket.emitted.filter((e) => e.event === "message:send")).toHaveLength(2);
    expect(socket.last("message:send").payload).toEqual(attempt.payload);
  });

  it("on the home route keeps the list and presence live without joining any conversation", async () => {
    stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([]) },
      { path: `/api/users/${PEER.id}`, body: { user: PEER } },
    ]);
    const { store, unmount } = renderWithProviders(
      <StrictMode>
        <Home />
      </StrictMode>,
      {
        preloadedState: {
          auth: { status: "signedIn", token: "t-alice", user: ME },
          conversations: { selfId: ME.id, entries: {}, nextBefore: undefined },
        },
      },
    );
    const socket = liveSocket();
    socket.connectNow();
    expect(socket.emitted.map((e) => e.event)).not.toContain("conversation:join");

    const message = makeMessage({ seq: 1, senderId: PEER.id, recipientId: ME.id, body: "are you there?" });
    socket.serve("message:new", message);
    expect(socket.last("conversation:receipt").payload).toEqual({ peerId: PEER.id, deliveredSeq: 1 });
    await vi.waitFor(() =>
      expect(selectConversationList(store.getState())).toMatchObject([
        { conversationId: CONVERSATION, peer: PEER, unreadCount: 1, lastMessage: { body: "are you there?" } },
      ]),
    );
    const presence = { userId: PEER.id, online: false, lastSeenAt: "2025-01-01T12:00:00.000Z" };
    socket.serve("presence", presence);
    expect(selectPresence(store.getState(), PEER.id)).toEqual(presence);

    unmount();
    expect(socket).toMatchObject({ active: false });
    expect(socket.listenerCount()).toBe(0);
    expect(socket.emitted.map((e) => e.event)).not.toContain("conversation:leave");
  });

  it("asks for the list's first page again when a conversation not yet paged to gets a message, for its unread count", async () => {
    const carol = makeUser({ id: "carol" });
    const fromCarol = makeMessage({ seq: 1, senderId: carol.id, recipientId: ME.id });
    const summary = (lastMessage: Message, unreadCount: number): DmSummary => ({
      kind: "dm",
      mentionCount: 0,
      notify: "all",
      mutedUntil: null,
      conversationId: lastMessage.conversationId,
      peer: lastMessage.senderId === carol.id ? carol : PEER,
      lastMessage,
      unreadCount,
      readSeq: 0,
      peerReadSeq: 0,
      peerDeliveredSeq: 0,
    });
    stubFetch([{ path: FIRST_LIST_PAGE, body: listPage([summary(fromCarol, 1)], "after-carol") }]);
    const { store } = renderWithProviders(<Home />, {
      preloadedState: {
        auth: { status: "signedIn", token: "t-alice", user: ME },
        conversations: { selfId: ME.id, entries: {}, nextBefore: undefined },
      },
    });
    const socket = liveSocket();
    socket.connectNow();
    await vi.waitFor(() => expect(selectConversationList(store.getState())).toHaveLength(1));

    // Bob's conversation was further down, with two unread already; his third message puts it on top.
    const third = makeMessage({ seq: 3, senderId: PEER.id, recipientId: ME.id, body: "third" });
    const fetchMock = stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([summary(third, 3), summary(fromCarol, 1)], "after-carol") },
      { path: `/api/users/${PEER.id}`, body: { user: PEER } },
    ]);
    socket.serve("message:new", third);
    await vi.waitFor(() =>
      expect(selectConversationList(store.getState())).toMatchObject([
        { conversationId: CONVERSATION, unread: 3, lastMessage: { body: "third" } },
        { conversationId: fromCarol.conversationId, unread: 1 },
      ]),
    );
    expect(fetchMock.mock.calls.filter(([url]) => String(url) === FIRST_LIST_PAGE)).toHaveLength(1);
  });

  it("fetches the home page's lists once, the conversations on each connect only", async () => {
    const fetchMock = stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([]) },
      { path: "/api/users", body: { users: [PEER] } },
    ]);
    const requests = (path: string) => fetchMock.mock.calls.filter(([url]) => String(url) === path).length;
    renderWithProviders(
      <StrictMode>
        <SignedInUserContext value={ME}>
          <LiveHome />
        </SignedInUserContext>
      </StrictMode>,
      { preloadedState: { auth: { status: "signedIn", token: "t-alice", user: ME } } },
    );
    const socket = liveSocket();
    expect(screen.getByRole("status", { name: "Loading conversations" })).toBeInTheDocument();
    socket.connectNow();
    expect(await screen.findByText("No conversations yet — find someone below.")).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: new RegExp(PEER.displayName) })).toBeInTheDocument();
    // StrictMode mounts everything twice; the page and the socket still ask once each.
    expect(requests(FIRST_LIST_PAGE)).toBe(1);
    expect(requests("/api/users")).toBe(1);

    // A reconnect may have missed messages: the list is fetched again.
    socket.serve("disconnect", "transport close");
    socket.connectNow();
    await vi.waitFor(() => expect(requests(FIRST_LIST_PAGE)).toBe(2));
    expect(requests("/api/users")).toBe(1);
  });

  it("retries a send whose ack timed out on a live connection with the same clientId, and marks it failed after three", async () => {
    const { user } = renderChat();
    const socket = liveSocket();
    socket.connectNow();
    socket.answer(socket.last("conversation:join"), joinResult([]));
    const sends = () => socket.emitted.filter((e) => e.event === "message:send");
    await user.type(screen.getByLabelText("Message"), "anyone?{Enter}");
    expect(sends()).toHaveLength(1);

    // The retry waits are timers: fake from here on, so the test does not sleep.
    vi.useFakeTimers();
    try {
      socket.timeOut(sends()[0]!);
      await act(() => vi.advanceTimersByTimeAsync(1000));
      expect(sends()).toHaveLength(2);
      expect(sends()[1]!.payload).toEqual(sends()[0]!.payload);
      socket.timeOut(sends()[1]!);
      await act(() => vi.advanceTimersByTimeAsync(3000));
      expect(sends()).toHaveLength(3);
      socket.timeOut(sends()[2]!);
      expect(screen.getByTestId("message")).toHaveAttribute("data-delivery", "failed");
    } finally {
      vi.useRealTimers();
    }
  });

  describe("with fake timers", () => {
    beforeEach(() => {
      vi.useFakeTimers({ shouldAdvanceTime: false });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it("shows the peer typing, expires it 6 s after the last renewal, and clears it when their message arrives", async () => {
      renderChat();
      const socket = liveSocket();
      socket.connectNow();
      socket.answer(socket.last("conversation:join"), joinResult([]));
      const typing = { conversationId: CONVERSATION, userId: PEER.id, typing: true };

      socket.serve("typing", typing);
      expect(screen.getByTestId("typing-indicator")).toHaveTextContent("Bob is typing");
      await act(() => vi.advanceTimersByTimeAsync(4000));
      socket.serve("typing", typing);
      await act(() => vi.advanceTimersByTimeAsync(5000));
      expect(screen.getByTestId("typing-indicator")).toBeInTheDocument();
      await act(() => vi.advanceTimersByTimeAsync(1000));
      expect(screen.queryByTestId("typing-indicator")).toBeNull();

      socket.serve("typing", typing);
      expect(screen.getByTestId("typing-indicator")).toBeInTheDocument();
      socket.serve("message:new", makeMessage({ seq: 1, senderId: PEER.id, recipientId: ME.id, body: "done" }));
      expect(screen.queryByTestId("typing-indicator")).toBeNull();
    });
  });
});
