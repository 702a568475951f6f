import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { conversationIdFor, type ConversationSettings } from "../../../../shared/protocol";
import { makeStore } from "../../app/store";
import { listPage, makeMessage, makeUser } from "../../test/factories";
import { stubFetch } from "../../test/fetchStub";
import { renderWithProviders } from "../../test/renderWithProviders";
import { sessionVerified } from "../auth/authSlice";
import { conversationSettingsReceived, conversationsListed } from "./conversationsSlice";
import { NotifySettingsMenu } from "./NotifySettingsMenu";

const ME = makeUser({ id: "alice" });
const BOB = makeUser({ id: "bob" });
const CONVERSATION = conversationIdFor(ME.id, BOB.id);
const SETTINGS_PATH = `/api/conversations/${BOB.id}/settings`;

function renderMenu() {
  const store = makeStore();
  store.dispatch(sessionVerified(ME));
  store.dispatch(
    conversationsListed(
      listPage([
        {
          kind: "dm",
          conversationId: CONVERSATION,
          peer: BOB,
          lastMessage: makeMessage({ seq: 1, senderId: BOB.id, recipientId: ME.id }),
          unreadCount: 1,
          mentionCount: 0,
          readSeq: 0,
          peerReadSeq: 0,
          peerDeliveredSeq: 0,
          notify: "all",
          mutedUntil: null,
        },
      ]),
    ),
  );
  const rendered = renderWithProviders(<NotifySettingsMenu conversationId={CONVERSATION} conversationRef={BOB.id} />, {
    store,
  });
  return { ...rendered, entry: () => store.getState().conversations.entries[CONVERSATION] };
}

const answer = (settings: Partial<ConversationSettings>) => ({
  method: "PUT",
  path: SETTINGS_PATH,
  body: { settings: { conversationId: CONVERSATION, notify: "all", mutedUntil: null, ...settings } },
});

describe("NotifySettingsMenu", () => {
  it("sets the level from the keyboard and applies the server's answer; focus returns to the button", async () => {
    const fetchMock = stubFetch([answer({ notify: "mentions" })]);
    const { user, entry } = renderMenu();
    const button = screen.getByRole("button", { name: "Notifications: all messages" });
    button.focus();
    await user.keyboard("{Enter}");
    expect(screen.getByRole("menuitemradio", { name: "All messages" })).toHaveFocus();
    expect(screen.getByRole("menuitemradio", { name: "All messages" })).toHaveAttribute("aria-checked", "true");
    await user.keyboard("{ArrowDown}{Enter}");

    await waitFor(() => expect(entry()?.notify).toBe("mentions"));
    const [, init] = fetchMock.mock.calls[0] ?? [];
    expect(init?.method).toBe("PUT");
    expect(JSON.parse(String(init?.body))).toEqual({ notify: "mentions" });
    expect(screen.queryByRole("menu")).toBeNull();
    expect(screen.getByRole("button", { name: "Notifications: only mentions" })).toHaveFocus();
  });

  it("mutes for a while, then offers Unmute; Escape closes the menu back to its button", async () => {
    const until = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    const fetchMock = stubFetch([answer({ mutedUntil: until })]);
    const { user, entry, store } = renderMenu();
    await user.click(screen.getByRole("button", { name: /^Notifications/ }));
    expect(screen.queryByRole("menuitem", { name: "Unmute" })).toBeNull();
    await user.click(screen.getByRole("menuitem", { name: "Mute for 1 hour" }));

    await waitFor(() => expect(entry()?.mutedUntil).toBe(until));
    const sent = JSON.parse(String(fetchMock.mock.calls[0]?.[1]?.body)) as { mutedUntil: string };
    expect(Date.parse(sent.mutedUntil) - Date.now()).toBeGreaterThan(59 * 60 * 1000);
    const button = screen.getByRole("button", { name: /^Notifications: muted until/ });
    expect(button).toHaveTextContent("🔕");

    await user.click(button);
    expect(screen.getByRole("menuitem", { name: "Unmute" })).toBeVisible();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("menu")).toBeNull();
    expect(button).toHaveFocus();

    // Another tab unmuted: the event brings it here.
    store.dispatch(conversationSettingsReceived({ conversationId: CONVERSATION, notify: "all", mutedUntil: null }));
    expect(await screen.findByRole("button", { name: "Notifications: all messages" })).toBeVisible();
  });

  it("says why a change was refused", async () => {
    stubFetch([
      { method: "PUT", path: SETTINGS_PATH, status: 400, body: { error: { code: "VALIDATION", message: "bad" } } },
    ]);
    const { user, entry } = renderMenu();
    await user.click(screen.getByRole("button", { name: /^Notifications/ }));
    await user.click(screen.getByRole("menuitemradio", { name: "Nothing" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("bad");
    expect(entry()?.notify).toBe("all");
  });
});
