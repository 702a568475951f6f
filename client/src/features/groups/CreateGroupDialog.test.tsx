import { screen } from "@testing-library/react";
import { Route, Routes } from "react-router-dom";
import { describe, expect, it, vi } from "vitest";
import { makeGroup, makeUser } from "../../test/factories";
import { stubFetch } from "../../test/fetchStub";
import { renderWithProviders } from "../../test/renderWithProviders";
import { CreateGroupDialog } from "./CreateGroupDialog";

const ME = makeUser({ id: "alice" });
const BOB = makeUser({ id: "bob" });
const CAROL = makeUser({ id: "carol" });

function renderDialog(onClose = vi.fn()) {
  const view = renderWithProviders(
    <Routes>
      <Route path="/" element={<CreateGroupDialog onClose={onClose} />} />
      <Route path="/group/:groupId" element={<p>Group page</p>} />
    </Routes>,
    { preloadedState: { auth: { status: "signedIn", token: "t-alice", user: ME } } },
  );
  return { ...view, onClose };
}

const people = { path: "/api/users", body: { users: [BOB, CAROL] } };
const postedBodies = (fetchMock: ReturnType<typeof stubFetch>) =>
  fetchMock.mock.calls
    .filter(([, init]) => init?.method === "POST")
    .map(([, init]) => JSON.parse(String(init?.body)) as Record<string, unknown>);

describe("CreateGroupDialog", () => {
  it("creates a group with a name, picked people and the history choice, then opens it", async () => {
    const fetchMock = stubFetch([
      people,
      { method: "POST", path: "/api/groups", status: 201, body: { group: makeGroup() } },
    ]);
    const { user } = renderDialog();
    expect(screen.getByRole("dialog", { name: "New group" })).toBeInTheDocument();
    expect(screen.getByLabelText("Group name")).toHaveFocus();

    await user.type(screen.getByLabelText("Group name"), "  Trip ");
    await user.click(screen.getByLabelText("Only messages from when they join"));
    await user.click(await screen.findByRole("button", { name: /Bob/, pressed: false }));
    expect(screen.getByRole("button", { name: /Bob/, pressed: true })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Remove Bob" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Create group" }));

    expect(await screen.findByText("Group page")).toBeInTheDocument();
    const [body] = postedBodies(fetchMock);
    expect(body).toEqual({ clientId: expect.any(String), name: "Trip", memberIds: ["bob"], history: "joined" });
  });

  it("shows the server's refusal and retries with the same clientId", async () => {
    const fetchMock = stubFetch([
      people,
      {
        method: "POST",
        path: "/api/groups",
        status: 409,
        body: { error: { code: "LIMIT_REACHED", message: "Too many members for one group." } },
      },
    ]);
    const { user } = renderDialog();
    await user.type(screen.getByLabelText("Group name"), "Trip");
    await user.click(screen.getByRole("button", { name: "Create group" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Too many members for one group.");
    await user.click(screen.getByRole("button", { name: "Create group" }));
    await screen.findByRole("alert");
    const [first, second] = postedBodies(fetchMock);
    expect(second?.clientId).toBe(first?.clientId);
  });

  it("tells the wait when over the rate limit", async () => {
    stubFetch([
      people,
      {
        method: "POST",
        path: "/api/groups",
        status: 429,
        body: { error: { code: "RATE_LIMITED", message: "Slow down", retryAfterMs: 60_000 } },
      },
    ]);
    const { user } = renderDialog();
    await user.type(screen.getByLabelText("Group name"), "Trip");
    await user.click(screen.getByRole("button", { name: "Create group" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(/Too many requests: try again in/);
  });

  it("refuses an empty name without asking the server", async () => {
    const fetchMock = stubFetch([people]);
    const { user } = renderDialog();
    await user.click(screen.getByRole("button", { name: "Create group" }));
    expect(screen.getByRole("alert")).toHaveTextContent("The name must be 1-64 characters.");
    expect(postedBodies(fetchMock)).toEqual([]);
  });

  it("keeps the focus inside and closes on Escape", async () => {
    stubFetch([people]);
    const { user, onClose } = renderDialog();
    await screen.findByRole("button", { name: /Carol/ });
    screen.getByRole("button", { name: "Create group" }).focus();
    await user.tab();
    expect(screen.getByLabelText("Group name")).toHaveFocus();
    await user.tab({ shift: true });
    expect(screen.getByRole("button", { name: "Create group" })).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalledOnce();
  });
});
