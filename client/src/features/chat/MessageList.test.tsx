import type { UnknownAction } from "@reduxjs/toolkit";
import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { conversationIdFor } from "../../../../shared/protocol";
import { makeStore } from "../../app/store";
import { makeMessage } from "../../test/factories";
import { renderWithProviders } from "../../test/renderWithProviders";
import {
  connectionStatusChanged,
  conversationOpened,
  messageReceived,
  messageSendFailed,
  messageSendRequested,
} from "./chatSlice";
import { ConnectionStatus } from "./ConnectionStatus";
import { MessageList } from "./MessageList";

const ME = "alice";
const PEER = "bob";
const CONVERSATION = conversationIdFor(ME, PEER);

function renderList(actions: UnknownAction[]) {
  const store = makeStore();
  for (const action of [conversationOpened({ conversationId: CONVERSATION, peerId: PEER }), ...actions])
    store.dispatch(action);
  const onRetry = vi.fn();
  const onDiscard = vi.fn();
  const rendered = renderWithProviders(
    <MessageList
      conversationId={CONVERSATION}
      selfId={ME}
      onRetry={onRetry}
      onDiscard={onDiscard}
      hasOlder={false}
      loadingOlder={false}
      onLoadOlder={() => {}}
    />,
    { store },
  );
  return { ...rendered, onRetry, onDiscard };
}

function requestSend(clientId: string, body: string) {
  return messageSendRequested({
    clientId,
    conversationId: CONVERSATION,
    senderId: ME,
    recipientId: PEER,
    body,
    createdAt: "2025-01-01T12:00:00.000Z",
  });
}

describe("MessageList", () => {
  it("puts my messages at the end and the peer's at the start, confirmed by seq then pending", () => {
    renderList([
      messageReceived(makeMessage({ seq: 2, senderId: ME, recipientId: PEER, body: "mine" })),
      messageReceived(makeMessage({ seq: 1, senderId: PEER, recipientId: ME, body: "theirs" })),
      requestSend("c-pending", "on its way"),
    ]);

    const rows = within(screen.getByRole("log", { name: "Messages" })).getAllByTestId("message");
    expect(rows.map((row) => [row.dataset.status, row.dataset.seq, row.className])).toEqual([
      ["sent", "1", "chat chat-start"],
      ["sent", "2", "chat chat-end"],
      ["pending", undefined, "chat chat-end"],
    ]);
    expect(rows[0]).toHaveTextContent("theirs");
    expect(within(rows[0]!).getByText(/\d/, { selector: "time" })).toHaveAttribute(
      "dateTime",
      "2025-01-01T12:00:01.000Z",
    );
  });

  it("renders bodies as text, keeping newlines", () => {
    const body = '<img src=x onerror="alert(1)">\nsecond line';
    renderList([messageReceived(makeMessage({ seq: 1, senderId: PEER, recipientId: ME, body }))]);

    const row = screen.getByTestId("message");
    expect(row.querySelector("img")).toBeNull();
    expect(within(row).getByText((_, element) => element?.textContent === body)).toHaveClass("whitespace-pre-wrap");
  });

  it("offers a retry for a failed send", async () => {
    const { user, onRetry } = renderList([
      requestSend("c-failed", "try me"),
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
