import { screen, within } from "@testing-library/react";
import { StrictMode } from "react";
import { Route, Routes } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { groupConversationId, type Group, type GroupJoinResult, type Message } from "../../../shared/protocol";
import { ChatActionsContext } from "../features/chat/chatActions";
import { stubViewportForEachTest } from "../features/chat/viewportStub";
import { SignedInUserContext } from "../features/auth/SignedInUser";
import { useRouteSocket } from "./useRouteSocket";
import {
  FIRST_LIST_PAGE,
  listPage,
  makeGroup,
  makeGroupMessage,
  makeMember,
  makeSystemMessage,
  makeUser,
} from "../test/factories";
import { sockets, type FakeSocket } from "../test/fakeSocket";
import { stubFetch } from "../test/fetchStub";
import { renderWithProviders } from "../test/renderWithProviders";
import { GroupRoute } from "../features/groups/GroupPage";

vi.mock("socket.io-client", async () => (await import("../test/fakeSocket")).socketIoStub);

const ME = makeUser({ id: "alice" });
const GROUP = groupConversationId("g1");
const created = makeSystemMessage(1, "alice", { action: "created", userIds: ["alice", "bob", "carol"] });

function LiveGroup() {
  const actions = useRouteSocket(GROUP, ME.id);
  return (
    <ChatActionsContext value={actions}>
      <GroupRoute sidebar={null} accountMenu={null} />
    </ChatActionsContext>
  );
}

function renderGroup(route = "/group/g1") {
  return renderWithProviders(
    <StrictMode>
      <SignedInUserContext value={ME}>
        <Routes>
          <Route path="/group/:groupId" element={<LiveGroup />} />
        </Routes>
      </SignedInUserContext>
    </StrictMode>,
    { route, preloadedState: { auth: { status: "signedIn", token: "t-alice", user: ME } } },
  );
}

function liveSocket(): FakeSocket {
  const live = sockets.filter((socket) => socket.active);
  expect(live).toHaveLength(1);
  return live[0]!;
}

function joinResult(messages: Message[], group: Group = makeGroup()): GroupJoinResult & { ok: true } {
  return {
    ok: true,
    conversationId: GROUP,
    group,
    messages,
    hasMore: false,
    readSeq: messages.at(-1)?.seq ?? 0,
    visibleFromSeq: 1,
    rev: messages.at(-1)?.rev ?? 0,
    changed: [],
    changedHasMore: false,
  };
}

/** Connects and answers the join with `messages`; returns the socket. */
function joined(messages: Message[], group?: Group): FakeSocket {
  const socket = liveSocket();
  socket.connectNow();
  const join = socket.last("conversation:join");
  expect(join.payload).toEqual({ conversationId: GROUP });
  socket.answer(join, joinResult(messages, group));
  return socket;
}

beforeEach(() => {
  sockets.length = 0;
  stubFetch([{ path: FIRST_LIST_PAGE, body: listPage([]) }]);
});

stubViewportForEachTest();

describe("the group route", () => {
  it("joins by conversation id, shows system notes and senders, and leaves by conversation id", () => {
    const { unmount } = renderGroup();
    joined([
      created,
      makeGroupMessage({ seq: 2, senderId: "bob", body: "hello all" }),
      makeSystemMessage(3, "alice", { action: "renamed", userIds: [], name: "Trip" }),
      makeSystemMessage(4, "alice", { action: "role", userIds: ["carol"], role: "owner" }),
      makeSystemMessage(5, "zed", { action: "left", userIds: ["zed"] }),
    ]);
    expect(screen.getByRole("heading", { name: "Trip" })).toBeInTheDocument();
    expect(screen.getByText("3 members")).toBeInTheDocument();
    expect(screen.getAllByTestId("system-note").map((note) => note.textContent)).toEqual([
      "Alice created the group",
      "Alice renamed the group to “Trip”",
      "Carol is now an owner",
      "A former member left",
    ]);
    const [bobsRow] = screen.getAllByTestId("message");
    expect(bobsRow).toHaveTextContent("Bob");
    expect(bobsRow).toHaveTextContent("hello all");

    const socket = liveSocket();
    unmount();
    expect(socket.last("conversation:leave").payload).toEqual({ conversationId: GROUP });
  });

  it("sends, types and confirms delivery by conversation id", async () => {
    const { user } = renderGroup();
    const socket = joined([created]);
    await user.type(screen.getByLabelText("Message"), "hi all{Enter}");
    const send = socket.last("message:send");
    const { clientId } = send.payload as { clientId: string };
    expect(send.payload).toEqual({ conversationId: GROUP, clientId, body: "hi all" });
    expect(socket.emitted.find((emitted) => emitted.event === "typing")?.payload).toEqual({
      conversationId: GROUP,
      typing: true,
    });

    socket.serve("message:new", makeGroupMessage({ seq: 2, senderId: "bob" }));
    const receipts = socket.emitted.filter((emitted) => emitted.event === "conversation:receipt");
    expect(receipts.map((receipt) => receipt.payload)).toContainEqual({ conversationId: GROUP, deliveredSeq: 2 });
  });

  it("says who is typing, by name", () => {
    renderGroup();
    const socket = joined([created]);
    socket.serve("typing", { conversationId: GROUP, userId: "bob", typing: true });
    socket.serve("typing", { conversationId: GROUP, userId: "carol", typing: true });
    expect(screen.getByTestId("typing-indicator")).toHaveTextContent("Bob and Carol are typing");
  });

  it("shows who has seen my latest message, live from receipts", () => {
    renderGroup();
    const mine = makeGroupMessage({ seq: 2, senderId: "alice", body: "mine" });
    const socket = joined([created, mine]);
    expect(screen.getByTestId("seen-by")).toHaveTextContent("");
    socket.serve("receipt", { conversationId: GROUP, userId: "bob", deliveredSeq: 2, readSeq: 2 });
    expect(screen.getByTestId("seen-by")).toHaveTextContent("Seen by Bob");
    socket.serve("receipt", { conversationId: GROUP, userId: "carol", deliveredSeq: 2, readSeq: 2 });
    expect(screen.getByTestId("seen-by")).toHaveTextContent("Seen by everyone");
  });

  it("fetches the group for the names of members added live", async () => {
    const fetchMock = stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([]) },
      { path: "/api/groups/g1", body: { group: makeGroup({ members: [...makeGroup().members, makeMember("dave")] }) } },
    ]);
    renderGroup();
    const socket = joined([created]);
    socket.serve("message:new", makeSystemMessage(2, "bob", { action: "added", userIds: ["dave"] }));
    expect(await screen.findByText("Bob added Dave")).toBeInTheDocument();
    expect(fetchMock.mock.calls.some(([url]) => String(url) === "/api/groups/g1")).toBe(true);
  });

  it("opens the members from the header and gives the focus back when closed", async () => {
    stubFetch([
      { path: FIRST_LIST_PAGE, body: listPage([]) },
      { path: "/api/users", body: { users: [] } },
    ]);
    const { user } = renderGroup();
    joined([created]);
    const opener = screen.getByRole("button", { name: "Members" });
    await user.click(opener);
    const dialog = screen.getByRole("dialog", { name: "Members of “Trip”" });
    expect(within(dialog).getByRole("list", { name: "Members" })).toHaveTextContent(/Alice \(you\)Owner/);
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(opener).toHaveFocus();
  });

  it("lets an owner delete another member's message, after a confirm, but not edit it", async () => {
    const { user } = renderGroup();
    const bobs = makeGroupMessage({ seq: 2, senderId: "bob", body: "off-topic" });
    const socket = joined([created, bobs]);
    const row = () => screen.getByTestId("message");
    await user.click(within(row()).getByRole("button", { name: "Message actions" }));
    expect(within(row()).queryByRole("menuitem", { name: "Edit message" })).toBeNull();
    await user.click(within(row()).getByRole("menuitem", { name: "Delete message" }));
    await user.click(within(row()).getByRole("button", { name: "Confirm delete" }));
    const remove = socket.last("message:delete");
    expect(remove.payload).toEqual({ messageId: bobs.id });
    socket.answer(remove, { ok: true, message: { ...bobs, body: "", deletedAt: bobs.createdAt, rev: 3 } });
    expect(row()).toHaveTextContent("Message deleted");
  });

  it("offers a plain member no delete of another's message", async () => {
    const { user } = renderGroup();
    const members = [makeMember("alice"), makeMember("bob", "owner"), makeMember("carol")];
    joined([created, makeGroupMessage({ seq: 2, senderId: "bob", body: "plans" })], makeGroup({ members }));
    await user.click(screen.getByRole("button", { name: "Message actions" }));
    expect(screen.getByRole("menuitem", { name: "Reply to message" })).toBeInTheDocument();
    expect(screen.queryByRole("menuitem", { name: "Delete message" })).toBeNull();
  });

  it("shows nothing more once I am removed, and says so", () => {
    renderGroup();
    const socket = joined([created, makeGroupMessage({ seq: 2, senderId: "bob", body: "secret plans" })]);
    socket.serve("message:new", makeSystemMessage(3, "bob", { action: "removed", userIds: ["alice"] }));
    expect(screen.getByRole("alert")).toHaveTextContent("You are no longer a member of this group.");
    expect(screen.queryByText("secret plans")).not.toBeInTheDocument();
    expect(screen.queryByLabelText("Message")).not.toBeInTheDocument();
  });

  it("says the group is not found when the join answers NOT_FOUND", () => {
    renderGroup();
    const socket = liveSocket();
    socket.connectNow();
    socket.answer(socket.last("conversation:join"), {
      ok: false,
      error: { code: "NOT_FOUND", message: "Not found" },
    });
    expect(within(screen.getByRole("alert")).getByText("Group not found.")).toBeInTheDocument();
  });
});
