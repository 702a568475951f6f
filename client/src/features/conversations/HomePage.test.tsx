import { screen, within } from "@testing-library/react";
import type { DmSummary } from "../../../../shared/protocol";
import { describe, expect, it } from "vitest";
import { conversationsQuery, fetchQuery } from "../../app/parleyApi";
import { FIRST_LIST_PAGE, listPage, makeMessage, makeUser } from "../../test/factories";
import { stubFetch } from "../../test/fetchStub";
import { renderWithProviders } from "../../test/renderWithProviders";
import { SignedInUserContext } from "../auth/SignedInUser";
import { HomePage } from "./HomePage";

const alice = makeUser({ id: "alice", displayName: "Alice Liddell" });
const bob = makeUser({ id: "bob", displayName: "Bob Builder", online: true });
const serverDown = { status: 500, body: { error: { code: "INTERNAL", message: "Database unavailable" } } };

function renderHome() {
  const rendered = renderWithProviders(
    <SignedInUserContext value={alice}>
      <HomePage accountMenu={null} />
    </SignedInUserContext>,
    { preloadedState: { auth: { status: "signedIn", token: "t-alice", user: alice } } },
  );
  // What the route's socket does when it connects (useRouteSocket.test.tsx covers that part).
  void rendered.store.dispatch(fetchQuery(conversationsQuery, undefined, { refetch: true }));
  return rendered;
}

const summaryWithBob: DmSummary = {
  kind: "dm",
  mentionCount: 0,
  notify: "all",
  mutedUntil: null,
  conversationId: "dm:alice:bob",
  peer: bob,
  lastMessage: makeMessage({ seq: 1, senderId: "bob", recipientId: "alice", body: "hi Alice" }),
  unreadCount: 1,
  readSeq: 0,
  peerReadSeq: 0,
  peerDeliveredSeq: 0,
};

describe("the home page", () => {
  it("shows skeletons while loading, then the empty states", async () => {
    stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([]) },
      { path: "/api/users", body: { users: [] } },
    ]);
    renderHome();

    expect(screen.getByRole("status", { name: "Loading conversations" })).toBeInTheDocument();
    expect(await screen.findByText("No conversations yet — find someone below.")).toBeInTheDocument();
    expect(await screen.findByText(/No one else is on Parley yet/)).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Parley");
  });

  it("says when a search matches no one", async () => {
    stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([]) },
      { path: "/api/users", body: { users: [bob] } },
      { path: "/api/users?q=zed", body: { users: [] } },
    ]);
    const { user } = renderHome();

    await user.type(screen.getByLabelText("Search people"), "zed");

    expect(await screen.findByText("No one matches “zed”.")).toBeInTheDocument();
  });

  it("marks the people search busy from a keystroke until the search waits for that query", async () => {
    stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([]) },
      { path: "/api/users", body: { users: [bob] } },
      { path: "/api/users?q=zed", body: { users: [] } },
    ]);
    const { user } = renderHome();
    const people = screen.getByRole("region", { name: "People" });
    await screen.findByRole("link", { name: /Bob Builder/ });
    expect(people).toHaveAttribute("aria-busy", "false");

    await user.type(screen.getByLabelText("Search people"), "zed");
    // Bob is still listed, the answer to the empty query: the region says it is about to change.
    expect(people).toHaveAttribute("aria-busy", "true");

    expect(await screen.findByText("No one matches “zed”.")).toBeInTheDocument();
    expect(people).toHaveAttribute("aria-busy", "false");
  });

  it("offers a retry when the conversations fail to load, and shows them once it works", async () => {
    stubFetch([
      { path: FIRST_LIST_PAGE, ...serverDown },
      { path: "/api/users", body: { users: [] } },
    ]);
    const { user } = renderHome();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not load your conversations.");

    stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([summaryWithBob]) },
      { path: "/api/users", body: { users: [] } },
    ]);
    await user.click(within(alert).getByRole("button", { name: "Retry" }));

    const link = await screen.findByRole("link", { name: /Bob Builder/ });
    expect(link).toHaveTextContent("hi Alice");
    expect(within(link).getByRole("img", { name: "Online" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("offers a retry when the people list fails to load", async () => {
    stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([]) },
      { path: "/api/users", ...serverDown },
    ]);
    const { user } = renderHome();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Database unavailable");

    stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([]) },
      { path: "/api/users", body: { users: [bob] } },
    ]);
    await user.click(within(alert).getByRole("button", { name: "Retry" }));

    expect(await screen.findByRole("link", { name: /Bob Builder/ })).toHaveTextContent("@bob · Online");
  });

  it("loads the next page of conversations from the button at the end of the list, until the last", async () => {
    const carol = makeUser({ id: "carol", displayName: "Carol Singer" });
    const summaryWithCarol = {
      ...summaryWithBob,
      conversationId: "dm:alice:carol",
      peer: carol,
      lastMessage: makeMessage({
        seq: 4,
        senderId: "carol",
        recipientId: "alice",
        body: "older news",
        createdAt: "2025-01-01T11:00:00.000Z",
      }),
      unreadCount: 4,
    };
    const fetchMock = stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([summaryWithBob], "after-bob") },
      { path: `${FIRST_LIST_PAGE}&before=after-bob`, body: listPage([summaryWithCarol]) },
      { path: "/api/users", body: { users: [] } },
    ]);
    const { user } = renderHome();
    const conversations = await screen.findByRole("region", { name: "Conversations" });
    await within(conversations).findByRole("link", { name: /Bob Builder/ });
    expect(within(conversations).queryByRole("link", { name: /Carol Singer/ })).not.toBeInTheDocument();

    // Reachable by keyboard: tab to it, press Enter.
    const more = within(conversations).getByRole("button", { name: "Load more conversations" });
    more.focus();
    await user.keyboard("{Enter}");

    const carolLink = await within(conversations).findByRole("link", { name: /Carol Singer/ });
    expect(carolLink).toHaveTextContent("older news");
    expect(
      within(conversations)
        .getAllByRole("link")
        .map((link) => link.textContent),
    ).toEqual([expect.stringContaining("Bob Builder"), expect.stringContaining("Carol Singer")]);
    // The last page: nothing more to load, and each page was asked for once.
    expect(within(conversations).queryByRole("button", { name: "Load more conversations" })).not.toBeInTheDocument();
    const asked = (path: string) => fetchMock.mock.calls.filter(([url]) => String(url) === path).length;
    expect([asked(FIRST_LIST_PAGE), asked(`${FIRST_LIST_PAGE}&before=after-bob`)]).toEqual([1, 1]);
  });

  it("offers a retry when the next page fails, and shows it once it works", async () => {
    stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([summaryWithBob], "after-bob") },
      { path: `${FIRST_LIST_PAGE}&before=after-bob`, ...serverDown },
      { path: "/api/users", body: { users: [] } },
    ]);
    const { user } = renderHome();
    const conversations = await screen.findByRole("region", { name: "Conversations" });
    await user.click(await within(conversations).findByRole("button", { name: "Load more conversations" }));
    const alert = await within(conversations).findByRole("alert");
    expect(alert).toHaveTextContent("Could not load more conversations.");

    const carol = makeUser({ id: "carol", displayName: "Carol Singer" });
    stubFetch([
      {
        path: `${FIRST_LIST_PAGE}&before=after-bob`,
        body: listPage([{ ...summaryWithBob, conversationId: "dm:alice:carol", peer: carol }]),
      },
    ]);
    await user.click(within(alert).getByRole("button", { name: "Retry" }));
    expect(await within(conversations).findByRole("link", { name: /Carol Singer/ })).toBeInTheDocument();
    expect(within(conversations).queryByRole("alert")).not.toBeInTheDocument();
  });

  it("shows a muted conversation's icon without its unread count, and only mentions for the mentions level", async () => {
    const carol = makeUser({ id: "carol", displayName: "Carol" });
    const later = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    stubFetch([
      {
        path: FIRST_LIST_PAGE,
        body: listPage([
          { ...summaryWithBob, unreadCount: 4, mutedUntil: later },
          {
            ...summaryWithBob,
            conversationId: "dm:alice:carol",
            peer: carol,
            lastMessage: makeMessage({ seq: 9, senderId: "carol", recipientId: "alice" }),
            unreadCount: 5,
            mentionCount: 2,
            notify: "mentions",
          },
        ]),
      },
      { path: "/api/users", body: { users: [] } },
    ]);
    renderHome();

    const muted = await screen.findByRole("link", { name: /Bob Builder/ });
    expect(within(muted).getByTestId("muted")).toHaveTextContent("Muted");
    expect(within(muted).queryByTestId("unread-count")).toBeNull();
    const mentions = screen.getByRole("link", { name: /Carol/ });
    expect(within(mentions).getByTestId("mention-count")).toHaveTextContent("2");
    expect(mentions).toHaveTextContent("2 unread mentions");
    expect(within(mentions).queryByTestId("muted")).toBeNull();
  });
});
