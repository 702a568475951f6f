import { act, screen } from "@testing-library/react";
import { Route, Routes } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeMessage, makeUser } from "../../test/factories";
import { renderWithProviders } from "../../test/renderWithProviders";
import type { NotifyLevel } from "../../../../shared/protocol";
import { messageReceived } from "../chat/chatSlice";
import { NOTIFICATIONS_STORAGE_KEY } from "./notificationPolicy";
import { useMessageNotifications } from "./useMessageNotifications";

const alice = makeUser({ id: "alice" });

class FakeNotification {
  static permission: NotificationPermission = "granted";
  static shown: FakeNotification[] = [];
  onclick: (() => void) | null = null;
  close = vi.fn();
  constructor(
    readonly title: string,
    readonly options: NotificationOptions,
  ) {
    FakeNotification.shown.push(this);
  }
}

function Notifier() {
  useMessageNotifications();
  return (
    <Routes>
      <Route path="/" element={<p>Home</p>} />
      <Route path="/chat/:userId" element={<p>Chat page</p>} />
    </Routes>
  );
}

function setVisibility(state: DocumentVisibilityState) {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
}

beforeEach(() => {
  FakeNotification.shown = [];
  vi.stubGlobal("Notification", FakeNotification);
  localStorage.setItem(NOTIFICATIONS_STORAGE_KEY, "on");
  setVisibility("hidden");
});

afterEach(() => setVisibility("visible"));

describe("message notifications", () => {
  it("shows a peer's message while the tab is hidden; a click opens that chat", async () => {
    const { store } = renderWithProviders(<Notifier />, {
      preloadedState: { auth: { status: "signedIn", token: "t", user: alice } },
    });

    act(() => {
      store.dispatch(messageReceived(makeMessage({ seq: 1, senderId: "bob", recipientId: "alice", body: "ping" })));
      store.dispatch(messageReceived(makeMessage({ seq: 2, senderId: "alice", recipientId: "bob" })));
    });

    expect(FakeNotification.shown).toHaveLength(1);
    const [shown] = FakeNotification.shown;
    expect(shown?.options).toMatchObject({ body: "ping", tag: "dm:alice:bob" });

    act(() => shown?.onclick?.());
    expect(await screen.findByText("Chat page")).toBeInTheDocument();
    expect(shown?.close).toHaveBeenCalled();
  });

  it("stays quiet while the tab is visible", () => {
    setVisibility("visible");
    const { store } = renderWithProviders(<Notifier />, {
      preloadedState: { auth: { status: "signedIn", token: "t", user: alice } },
    });

    store.dispatch(messageReceived(makeMessage({ seq: 1, senderId: "bob", recipientId: "alice" })));

    expect(FakeNotification.shown).toHaveLength(0);
  });

  it.each<[string, NotifyLevel, string | null, string[]]>([
    ["level mentions: only messages mentioning me", "mentions", null, ["ping 2"]],
    ["muted: nothing, even mentioning me", "all", new Date(Date.now() + 3_600_000).toISOString(), []],
    ["a mute that has ended: every message", "all", new Date(Date.now() - 60_000).toISOString(), ["ping 1", "ping 2"]],
  ])("follows the conversation's notify level — %s", (_case, notify, mutedUntil, rung) => {
    const entry = {
      conversationId: "dm:alice:bob",
      peerId: "bob",
      peer: makeUser({ id: "bob" }),
      group: null,
      lastMessage: null,
      readSeq: 0,
      unreadCount: 0,
      mentionCount: 0,
      notify,
      mutedUntil,
    };
    const { store } = renderWithProviders(<Notifier />, {
      preloadedState: {
        auth: { status: "signedIn", token: "t", user: alice },
        conversations: { selfId: "alice", entries: { [entry.conversationId]: entry }, nextBefore: null },
      },
    });
    const fromBob = (seq: number, mentions: string[] = []) =>
      messageReceived(makeMessage({ seq, senderId: "bob", recipientId: "alice", body: `ping ${seq}`, mentions }));

    act(() => {
      store.dispatch(fromBob(1));
      store.dispatch(fromBob(2, ["alice"]));
    });

    expect(FakeNotification.shown.map((shown) => shown.options.body)).toEqual(rung);
  });
});
