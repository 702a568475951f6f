import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { conversationsQuery, fetchQuery } from "../../app/parleyApi";
import { makeMessage, makeUser } from "../../test/factories";
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

const summaryWithBob = {
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
      { path: "/api/conversations", body: { conversations: [] } },
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
      { path: "/api/conversations", body: { conversations: [] } },
      { path: "/api/users", body: { users: [bob] } },
      { path: "/api/users?q=zed", body: { users: [] } },
    ]);
    const { user } = renderHome();

    await user.type(screen.getByLabelText("Search people"), "zed");

    expect(await screen.findByText("No one matches “zed”.")).toBeInTheDocument();
  });

  it("offers a retry when the conversations fail to load, and shows them once it works", async () => {
    stubFetch([
      { path: "/api/conversations", ...serverDown },
      { path: "/api/users", body: { users: [] } },
    ]);
    const { user } = renderHome();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not load your conversations.");

    stubFetch([
      { path: "/api/conversations", body: { conversations: [summaryWithBob] } },
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
      { path: "/api/conversations", body: { conversations: [] } },
      { path: "/api/users", ...serverDown },
    ]);
    const { user } = renderHome();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Database unavailable");

    stubFetch([
      { path: "/api/conversations", body: { conversations: [] } },
      { path: "/api/users", body: { users: [bob] } },
    ]);
    await user.click(within(alert).getByRole("button", { name: "Retry" }));

    expect(await screen.findByRole("link", { name: /Bob Builder/ })).toHaveTextContent("@bob · Online");
  });
});
