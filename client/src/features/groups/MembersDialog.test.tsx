import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { makeGroup, makeMember, makeUser } from "../../test/factories";
import { stubFetch } from "../../test/fetchStub";
import { renderWithProviders } from "../../test/renderWithProviders";
import { SignedInUserContext } from "../auth/SignedInUser";
import { MembersDialog } from "./MembersDialog";

const ME = makeUser({ id: "alice" });
const DAVE = makeUser({ id: "dave" });

function renderMembers(group = makeGroup()) {
  return renderWithProviders(
    <SignedInUserContext value={ME}>
      <MembersDialog group={group} onClose={vi.fn()} />
    </SignedInUserContext>,
    { preloadedState: { auth: { status: "signedIn", token: "t-alice", user: ME } } },
  );
}

const people = { path: "/api/users", body: { users: [makeUser({ id: "bob" }), DAVE] } };

function requests(fetchMock: ReturnType<typeof stubFetch>) {
  return fetchMock.mock.calls
    .filter(([, init]) => (init?.method ?? "GET") !== "GET")
    .map(([url, init]) => `${init?.method} ${String(url)} ${init?.body ?? ""}`.trim());
}

describe("MembersDialog", () => {
  it("lists members with their roles", () => {
    stubFetch([people]);
    renderMembers();
    const members = within(screen.getByRole("list", { name: "Members" })).getAllByRole("listitem");
    expect(members.map((member) => member.textContent)).toEqual([
      expect.stringMatching(/Alice \(you\)Owner$/),
      expect.stringMatching(/Bob/),
      expect.stringMatching(/Carol/),
    ]);
  });

  it("lets an owner rename, change roles, remove with a confirm, and add people", async () => {
    const fetchMock = stubFetch([
      people,
      { method: "PATCH", path: "/api/groups/g1", body: { group: makeGroup({ name: "Ski" }) } },
      { method: "PUT", path: "/api/groups/g1/members/bob", body: { group: makeGroup() } },
      { method: "DELETE", path: "/api/groups/g1/members/carol", status: 204 },
      { method: "POST", path: "/api/groups/g1/members", body: { group: makeGroup(), added: ["dave"] } },
    ]);
    const { user } = renderMembers();
    const name = screen.getByLabelText("Group name");
    await user.clear(name);
    await user.type(name, "Ski");
    await user.click(screen.getByRole("button", { name: "Rename" }));
    await user.click(screen.getByRole("button", { name: "Make Bob an owner" }));
    await user.click(screen.getByRole("button", { name: "Remove Carol" }));
    await user.click(
      within(screen.getByRole("group", { name: "Remove Carol?" })).getByRole("button", { name: "Remove Carol" }),
    );
    await user.click(await screen.findByRole("button", { name: /Dave/, pressed: false }));
    await user.click(screen.getByRole("button", { name: "Add 1 to the group" }));
    await vi.waitFor(() =>
      expect(requests(fetchMock)).toEqual([
        'PATCH /api/groups/g1 {"name":"Ski"}',
        'PUT /api/groups/g1/members/bob {"role":"owner"}',
        "DELETE /api/groups/g1/members/carol",
        'POST /api/groups/g1/members {"userIds":["dave"]}',
      ]),
    );
    // Members are shown as such in the search, not pickable again.
    expect(screen.getByRole("button", { name: /Bob/, pressed: true })).toBeDisabled();
  });

  it("shows a member only leave, behind a confirm, and the server's refusal", async () => {
    const fetchMock = stubFetch([
      people,
      {
        method: "POST",
        path: "/api/groups/g1/leave",
        status: 404,
        body: { error: { code: "NOT_FOUND", message: "Group not found" } },
      },
    ]);
    const { user } = renderMembers(
      makeGroup({ members: [makeMember("alice"), makeMember("bob", "owner"), makeMember("carol")] }),
    );
    expect(screen.queryByLabelText("Group name")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Remove/ })).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Leave group" }));
    await user.click(
      within(screen.getByRole("group", { name: "Leave this group?" })).getByRole("button", { name: "Leave" }),
    );
    expect(await screen.findByRole("alert")).toHaveTextContent("Group not found");
    expect(requests(fetchMock)).toEqual(["POST /api/groups/g1/leave"]);
  });
});
