import type { UnknownAction } from "@reduxjs/toolkit";
import { act, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { conversationIdFor, type Message } from "../../../../shared/protocol";
import { makeStore } from "../../app/store";
import { renderWithProviders } from "../../test/renderWithProviders";
import { makeMessage, makeOutgoing, makeUser } from "../../test/factories";
import { connectionStatusChanged } from "../connection/connectionSlice";
import {
  conversationJoined,
  conversationJoinFailed,
  conversationOpened,
  messageReceived,
  messageSendFailed,
  messageSendRequested,
  olderMessagesLoaded,
} from "./chatSlice";
import { ConnectionStatus } from "./ConnectionStatus";
import { MessageList } from "./MessageList";
import { stubViewportForEachTest } from "./viewportStub";

const ME = "alice";
const PEER = "bob";
const CONVERSATION = conversationIdFor(ME, PEER);

type ListOverrides = { olderError?: string | null; loadingOlder?: boolean };

function renderList(actions: UnknownAction[], { olderError = null, loadingOlder = false }: ListOverrides = {}) {
  const store = makeStore();
  for (const action of [conversationOpened({ conversationId: CONVERSATION, peerId: PEER }), ...actions])
    store.dispatch(action);
  const handlers = {
    onRetry: vi.fn(),
    onDiscard: vi.fn(),
    onEdit: vi.fn(),
    onDelete: vi.fn(),
    onReply: vi.fn(),
    onReact: vi.fn(),
    onRetryJoin: vi.fn(),
    onLoadOlder: vi.fn(),
  };
  const rendered = renderWithProviders(
    <MessageList
      conversationId={CONVERSATION}
      selfId={ME}
      peerName="Bob"
      hasOlder
      loadingOlder={loadingOlder}
      olderError={olderError}
      {...handlers}
    />,
    { store },
  );
  return { ...rendered, ...handlers };
}

function joined(messages: Message[]) {
  return conversationJoined({
    result: {
      conversationId: CONVERSATION,
      peer: makeUser({ id: PEER }),
      messages,
      hasMore: true,
      readSeq: 0,
      visibleFromSeq: 1,
      peerReadSeq: 0,
      peerDeliveredSeq: 0,
      rev: 0,
      changed: [],
      changedHasMore: false,
    },
    afterSeq: undefined,
  });
}

stubViewportForEachTest();

describe("MessageList", () => {
  it("puts my messages at the end and the peer's at the start, confirmed by seq then pending", () => {
    renderList([
      messageReceived(makeMessage({ seq: 2, senderId: ME, recipientId: PEER, body: "mine" })),
      messageReceived(makeMessage({ seq: 1, senderId: PEER, recipientId: ME, body: "theirs" })),
      messageSendRequested(makeOutgoing("c-pending", "on its way")),
    ]);

    const rows = within(screen.getByRole("log", { name: "Messages" })).getAllByTestId("message");
    expect(rows.map((row) => [row.dataset.status, row.dataset.seq, row.classList.contains("chat-end")])).toEqual([
      ["sent", "1", false],
      ["sent", "2", true],
      ["pending", undefined, true],
    ]);
    expect(rows[0]).toHaveClass("chat", "chat-start");
    expect(rows[0]).toHaveTextContent("theirs");
    const time = rows[0]!.querySelector("time");
    expect(time).toHaveAttribute("dateTime", "2025-01-01T12:00:01.000Z");
    expect(time?.getAttribute("title")).toMatch(/2025/);
  });

  it("renders bodies as text, keeping newlines", () => {
    const body = '<img src=x onerror="alert(1)">\nsecond line';
    renderList([messageReceived(makeMessage({ seq: 1, senderId: PEER, recipientId: ME, body }))]);

    const row = screen.getByTestId("message");
    expect(row.querySelector("img")).toBeNull();
    expect(within(row).getByText((_, element) => element?.textContent === body)).toHaveClass("whitespace-pre-wrap");
  });

  it("shows skeleton rows until the first page of history arrives", () => {
    renderList([]);
    expect(screen.getByRole("status")).toHaveTextContent("Loading messages…");
    expect(screen.queryByRole("log")).toBeNull();
  });

  it("offers Retry for a failed join and for a failed older page", async () => {
    const failedJoin = renderList([
      conversationJoinFailed({ conversationId: CONVERSATION, error: { code: "INTERNAL", message: "Join failed" } }),
    ]);
    expect(screen.getByRole("alert")).toHaveTextContent("Join failed");
    await failedJoin.user.click(screen.getByRole("button", { name: "Retry" }));
    expect(failedJoin.onRetryJoin).toHaveBeenCalledOnce();
    failedJoin.unmount();

    const failedPage = renderList([joined([makeMessage({ seq: 51 })])], { olderError: "Could not load" });
    expect(screen.getByRole("alert")).toHaveTextContent("Could not load");
    await failedPage.user.click(screen.getByRole("button", { name: "Retry" }));
    expect(failedPage.onLoadOlder).toHaveBeenCalledOnce();
  });

  it("shows a spinner while an older page loads", () => {
    renderList([joined([makeMessage({ seq: 51 })])], { loadingOlder: true });
    expect(screen.getByRole("status")).toHaveTextContent("Loading older messages…");
  });

  it("separates days and turns http(s) URLs into links that open safely", () => {
    const today = new Date();
    const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1, 12);
    renderList([
      joined([
        makeMessage({ seq: 1, createdAt: yesterday.toISOString(), body: "javascript:alert(1)" }),
        makeMessage({ seq: 2, createdAt: today.toISOString(), body: "look: https://example.com/a." }),
      ]),
    ]);
    expect(screen.getAllByRole("separator").map((separator) => separator.textContent)).toEqual(["Yesterday", "Today"]);
    const link = screen.getByRole("link", { name: "https://example.com/a" });
    expect(link).toHaveAttribute("href", "https://example.com/a");
    expect(link).toHaveAttribute("target", "_blank");
    expect(link).toHaveAttribute("rel", "noopener noreferrer");
    expect(screen.getAllByRole("link")).toHaveLength(1);
    expect(screen.getAllByTestId("message")[1]).toHaveTextContent("look: https://example.com/a.");
  });

  it("announces each new message from the peer once, but not history", () => {
    const { store } = renderList([joined([makeMessage({ seq: 10, senderId: PEER, recipientId: ME, body: "old" })])]);
    const announcer = screen.getByTestId("new-message-announcer");
    expect(announcer).toHaveAttribute("aria-live", "polite");
    expect(announcer).toHaveTextContent("");

    act(() => {
      store.dispatch(
        olderMessagesLoaded({
          conversationId: CONVERSATION,
          messages: [makeMessage({ seq: 9, senderId: PEER, recipientId: ME, body: "older" })],
          hasMore: false,
        }),
      );
    });
    expect(announcer).toHaveTextContent("");

    act(() => {
      store.dispatch(messageReceived(makeMessage({ seq: 11, senderId: PEER, recipientId: ME, body: "fresh news" })));
    });
    expect(announcer).toHaveTextContent("New message from Bob: fresh news");

    act(() => {
      store.dispatch(messageReceived(makeMessage({ seq: 12, senderId: ME, recipientId: PEER, body: "my reply" })));
    });
    expect(announcer).toHaveTextContent("New message from Bob: fresh news");
  });

  it("is one tab stop: the newest message; arrow keys, Home and End move between messages", async () => {
    const { user } = renderList([
      joined([1, 2, 3].map((seq) => makeMessage({ seq, senderId: PEER, recipientId: ME, body: `message ${seq}` }))),
    ]);
    const rows = screen.getAllByTestId("message");
    expect(rows.map((row) => row.tabIndex)).toEqual([-1, -1, 0]);
    expect(screen.getByRole("log")).toHaveAttribute("tabindex", "-1");

    await user.tab();
    expect(rows[2]).toHaveFocus();
    await user.keyboard("{ArrowUp}");
    expect(rows[1]).toHaveFocus();
    await user.keyboard("{Home}");
    expect(rows[0]).toHaveFocus();
    await user.keyboard("{ArrowUp}");
    expect(rows[0]).toHaveFocus();
    await user.keyboard("{End}");
    expect(rows[2]).toHaveFocus();
    await user.keyboard("{ArrowUp}");
    expect(screen.getAllByTestId("message").map((row) => row.tabIndex)).toEqual([-1, 0, -1]);
  });

  it("brings a reply's parent into focus when its quote is activated", async () => {
    const quote = { id: "m1", seq: 1, senderId: PEER, excerpt: "message 1", deleted: false };
    const { user } = renderList([
      joined([
        makeMessage({ seq: 1, senderId: PEER, recipientId: ME }),
        makeMessage({ seq: 2 }),
        makeMessage({ seq: 3, replyTo: quote }),
      ]),
    ]);
    await user.click(screen.getByRole("button", { name: /message 1/ }));
    expect(screen.getAllByTestId("message")[0]).toHaveFocus();
    expect(screen.queryByRole("status", { name: /not loaded/ })).toBeNull();
  });

  it("moves the focus to the next message after a delete", async () => {
    const messages = [1, 2].map((seq) => makeMessage({ seq, senderId: ME, recipientId: PEER, body: `m${seq}` }));
    const { user, onDelete } = renderList([joined(messages)]);
    onDelete.mockResolvedValue({ ok: true });
    const [first, second] = screen.getAllByTestId("message");
    await user.click(within(first!).getByRole("button", { name: "Message actions" }));
    await user.click(screen.getByRole("menuitem", { name: "Delete message" }));
    await user.click(screen.getByRole("button", { name: "Confirm delete" }));
    expect(second).toHaveFocus();
  });

  it("offers a retry for a failed send", async () => {
    const { user, onRetry } = renderList([
      messageSendRequested(makeOutgoing("c-failed", "try me")),
      messageSendFailed({
        conversationId: CONVERSATION,
        clientId: "c-failed",
        failure: { code: "RATE_LIMITED", message: "Slow down" },
      }),
    ]);

    expect(screen.getByTestId("message")).toHaveAttribute("data-status", "failed");
    await user.click(screen.getByRole("button", { name: "Retry" }));
    expect(onRetry).toHaveBeenCalledExactlyOnceWith("c-failed");
  });
});

describe("ConnectionStatus", () => {
  it.each([
    ["connected", "Connected"],
    ["connecting", "Connecting…"],
    ["reconnecting", "Reconnecting…"],
    ["disconnected", "Disconnected"],
  ] as const)("shows %s as %s", (status, text) => {
    const store = makeStore();
    store.dispatch(connectionStatusChanged(status));
    renderWithProviders(<ConnectionStatus />, { store });
    expect(screen.getByTestId("connection-status")).toHaveTextContent(text);
  });
});
