import { screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Message } from "../../../../shared/protocol";
import { makeMessage, makeUser } from "../../test/factories";
import { renderWithProviders } from "../../test/renderWithProviders";
import type { ChangeOutcome } from "./chatSlice";
import { ConversationMembersContext } from "./conversationMembers";
import { MessageRow } from "./MessageRow";
import type { TimelineItem } from "./selectors";

const MINE = makeMessage({ seq: 1, senderId: "alice", recipientId: "bob", body: "see you at 5" });
const OK: ChangeOutcome = { ok: true };

const MEMBERS = { selfId: "alice", members: [makeUser({ id: "alice" }), makeUser({ id: "bob" })] };

type RowOptions = { mine?: boolean; outcome?: ChangeOutcome; groupStart?: boolean; replies?: boolean };

function renderRow(
  item: TimelineItem,
  { mine = true, outcome = OK, groupStart = true, replies = false }: RowOptions = {},
) {
  const onEdit = vi.fn((_id: string, _body: string) => Promise.resolve(outcome));
  const onDelete = vi.fn((_id: string) => Promise.resolve(outcome));
  const onReply = vi.fn();
  const onReact = vi.fn((_id: string, _emoji: string, _add: boolean) => Promise.resolve(outcome));
  const onJumpTo = vi.fn((_id: string) => false);
  const rendered = renderWithProviders(
    <ConversationMembersContext value={MEMBERS}>
      <MessageRow
        item={item}
        mine={mine}
        conversationId={MINE.conversationId}
        now={new Date("2025-01-01T12:30:00.000Z")}
        onRetry={vi.fn()}
        onDiscard={vi.fn()}
        onEdit={onEdit}
        onDelete={onDelete}
        groupStart={groupStart}
        {...(replies && { onReply, onReact, onJumpTo })}
      />
    </ConversationMembersContext>,
  );
  return { ...rendered, onEdit, onDelete, onReply, onReact, onJumpTo, row: screen.getByTestId("message") };
}

const confirmed = (message: Message): TimelineItem => ({ kind: "confirmed", message });

/** Opens the message's actions menu and picks one, as a pointer user does. */
async function chooseAction(user: ReturnType<typeof renderWithProviders>["user"], name: string) {
  await user.click(screen.getByRole("button", { name: "Message actions" }));
  await user.click(screen.getByRole("menuitem", { name }));
}

describe("MessageRow", () => {
  it("edits inline from the actions menu: prefilled, Enter saves the trimmed text, and the focus returns to the message", async () => {
    const { user, onEdit } = renderRow(confirmed(MINE));
    await chooseAction(user, "Edit message");
    const editor = screen.getByRole("textbox", { name: "Edit message text" });
    expect(editor).toHaveValue("see you at 5");
    expect(editor).toHaveFocus();

    await user.clear(editor);
    await user.type(editor, "  see you{Shift>}{Enter}{/Shift}at 6 {Enter}");
    expect(onEdit).toHaveBeenCalledExactlyOnceWith(MINE.id, "see you\nat 6");
    expect(screen.queryByRole("textbox", { name: "Edit message text" })).toBeNull();
    await waitFor(() => expect(screen.getByTestId("message")).toHaveFocus());
  });

  it("cancels an edit with Escape or Cancel, sending nothing", async () => {
    const { user, onEdit } = renderRow(confirmed(MINE));
    await chooseAction(user, "Edit message");
    await user.type(screen.getByRole("textbox", { name: "Edit message text" }), " changed{Escape}");
    expect(screen.queryByRole("textbox", { name: "Edit message text" })).toBeNull();
    expect(screen.getByTestId("message")).toHaveTextContent("see you at 5");
    // The row takes the focus back a frame after the editor closes.
    await waitFor(() => expect(screen.getByTestId("message")).toHaveFocus());

    await chooseAction(user, "Edit message");
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("textbox", { name: "Edit message text" })).toBeNull();
    expect(onEdit).not.toHaveBeenCalled();
  });

  it("keeps a menu opened in the frame after an edit closes: the row does not take the focus from it", async () => {
    const { user } = renderRow(confirmed(MINE));
    await chooseAction(user, "Edit message");
    await user.type(screen.getByRole("textbox", { name: "Edit message text" }), "{Escape}");
    await user.click(screen.getByRole("button", { name: "Message actions" }));
    expect(screen.getByRole("menuitem", { name: "Edit message" })).toHaveFocus();
    // The frame in which the row would have taken the focus back.
    await new Promise((resolve) => requestAnimationFrame(resolve));
    expect(screen.getByRole("menuitem", { name: "Edit message" })).toHaveFocus();
  });

  it("saves with the Save button, and treats an unchanged text as a cancel", async () => {
    const { user, onEdit } = renderRow(confirmed(MINE));
    await chooseAction(user, "Edit message");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(onEdit).not.toHaveBeenCalled();
    await waitFor(() => expect(screen.getByTestId("message")).toHaveFocus());

    await chooseAction(user, "Edit message");
    await user.type(screen.getByRole("textbox", { name: "Edit message text" }), "!");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(onEdit).toHaveBeenCalledExactlyOnceWith(MINE.id, "see you at 5!");
  });

  it("refuses an empty edit before sending it, and shows a refusal from the server inline", async () => {
    const { user, onEdit } = renderRow(confirmed(MINE), { outcome: { ok: false, message: "Too fast" } });
    await chooseAction(user, "Edit message");
    const editor = screen.getByRole("textbox", { name: "Edit message text" });
    await user.clear(editor);
    await user.type(editor, "   {Enter}");
    expect(onEdit).not.toHaveBeenCalled();
    expect(editor).toHaveAccessibleDescription("The message must not be empty.");

    await user.type(editor, "new text{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("Too fast");
    expect(screen.getByRole("textbox", { name: "Edit message text" })).toHaveValue("   new text");
  });

  it("deletes only after Confirm delete; Cancel keeps the message", async () => {
    const { user, onDelete } = renderRow(confirmed(MINE));
    await chooseAction(user, "Delete message");
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(onDelete).not.toHaveBeenCalled();
    expect(screen.getByTestId("message")).toHaveFocus();

    await chooseAction(user, "Delete message");
    await user.click(screen.getByRole("button", { name: "Confirm delete" }));
    expect(onDelete).toHaveBeenCalledExactlyOnceWith(MINE.id);
  });

  it("shows a tombstone for a deleted message, with no controls", () => {
    const { row } = renderRow(confirmed({ ...MINE, body: "", deletedAt: "2025-01-01T12:10:00.000Z" }));
    expect(row).toHaveAttribute("data-deleted", "true");
    expect(row).toHaveTextContent("Message deleted");
    expect(screen.queryByRole("button", { name: "Message actions" })).toBeNull();
  });

  it("marks an edited message, with the edit time on hover", () => {
    renderRow(confirmed({ ...MINE, editedAt: "2025-01-01T12:20:00.000Z" }));
    const mark = screen.getByTestId("edited-mark");
    expect(mark).toHaveTextContent("edited");
    expect(mark.getAttribute("title")).toMatch(/^Edited .*2025/);
  });

  it("offers no edit or delete on the peer's messages or on unconfirmed sends", () => {
    const peers = renderRow(confirmed(makeMessage({ seq: 2, senderId: "bob", recipientId: "alice" })), { mine: false });
    expect(screen.queryByRole("button", { name: /message/ })).toBeNull();
    peers.unmount();

    renderRow({ kind: "pending", message: { ...MINE, recipientId: "bob", status: "pending", failure: null } });
    expect(screen.queryByRole("button", { name: /message/ })).toBeNull();
  });

  it("opens the actions menu with Enter on the focused message; arrow keys move in it, Escape closes it", async () => {
    const { user, row } = renderRow(confirmed(MINE));
    row.focus();
    await user.keyboard("{Enter}");
    expect(screen.getByRole("menuitem", { name: "Edit message" })).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("menuitem", { name: "Delete message" })).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("menuitem", { name: "Edit message" })).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("menu")).toBeNull();
    expect(row).toHaveFocus();

    await user.keyboard("{Enter}{ArrowUp}{Enter}");
    expect(screen.getByRole("button", { name: "Confirm delete" })).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(row).toHaveFocus();
  });

  it("shows the time only on the first message of a group", () => {
    renderRow(confirmed(MINE), { groupStart: false });
    expect(screen.getByTestId("message").querySelector(".chat-header")).toBeNull();
  });

  it("says why a send held back by the rate limit waits", () => {
    const failure = { code: "RATE_LIMITED" as const, message: "sending too fast", retryAfterMs: 4_200 };
    renderRow({ kind: "pending", message: { ...MINE, recipientId: "bob", status: "pending", failure } });
    expect(screen.getByTestId("message")).toHaveTextContent("Sending too fast: next try in 5 s");
  });

  it.each([
    ["2025-01-01T12:29:40.000Z", "just now"],
    ["2025-01-01T12:25:00.000Z", "5 min"],
  ])("shows a message sent at %s as %s", (createdAt, label) => {
    renderRow(confirmed({ ...MINE, createdAt }));
    const time = screen.getByText(label);
    expect(time.tagName).toBe("TIME");
    expect(time).toHaveAttribute("dateTime", createdAt);
  });

  describe("replies", () => {
    const THEIRS = makeMessage({ seq: 2, senderId: "bob", recipientId: "alice", body: "lunch?" });
    const quote = { id: "m1", seq: 1, senderId: "alice", excerpt: "see you at 5", deleted: false };

    // jsdom has no Tailwind. A browser makes sr-only text (position: absolute) a block, and sets blocks apart
    // with spaces in an accessible name: the quotes' names are checked as it computes them.
    beforeEach(() => {
      const style = document.head.appendChild(document.createElement("style"));
      style.textContent = ".sr-only { display: block; }";
      return () => style.remove();
    });

    it("offers Reply in the menu of the peer's messages, from the keyboard", async () => {
      const { user, row, onReply } = renderRow(confirmed(THEIRS), { mine: false, replies: true });
      row.focus();
      await user.keyboard("{Enter}");
      expect(screen.queryByRole("menuitem", { name: "Edit message" })).toBeNull();
      expect(screen.getByRole("menuitem", { name: "Reply to message" })).toHaveFocus();
      await user.keyboard("{Enter}");
      expect(onReply).toHaveBeenCalledExactlyOnceWith(THEIRS);
      expect(screen.queryByRole("menu")).toBeNull();
    });

    it("offers neither reply nor reactions on a tombstone or a system message", () => {
      const tombstone = renderRow(confirmed({ ...THEIRS, deletedAt: THEIRS.createdAt, body: "" }), {
        mine: false,
        replies: true,
      });
      expect(screen.queryByRole("button")).toBeNull();
      tombstone.unmount();
      renderRow(confirmed({ ...THEIRS, kind: "system", body: "" }), { mine: false, replies: true });
      expect(screen.queryByRole("button")).toBeNull();
    });

    it("shows the quote above a reply; activating it jumps to the parent, or says it is not loaded", async () => {
      const { user, onJumpTo, row } = renderRow(confirmed({ ...THEIRS, replyTo: quote }), {
        mine: false,
        replies: true,
      });
      const quoted = within(row).getByRole("button", { name: "Alice: see you at 5" });
      await user.click(quoted);
      expect(onJumpTo).toHaveBeenCalledExactlyOnceWith("m1");
      expect(screen.getByRole("status")).toHaveTextContent("The original message is not loaded");
    });

    it("says the parent was deleted instead of quoting it", () => {
      renderRow(confirmed({ ...THEIRS, replyTo: { ...quote, excerpt: "", deleted: true } }), { mine: false });
      expect(screen.getByRole("button", { name: "Alice: Original message deleted" })).toBeVisible();
    });
  });

  describe("reactions", () => {
    const THEIRS = makeMessage({
      seq: 2,
      senderId: "bob",
      recipientId: "alice",
      reactions: [
        { emoji: "👍", userIds: ["bob", "alice"] },
        { emoji: "🎉", userIds: ["bob"] },
      ],
    });

    it("shows a chip per emoji naming who reacted, me first, pressed when I did; a chip toggles my reaction", async () => {
      const { user, onReact } = renderRow(confirmed(THEIRS), { mine: false, replies: true });
      const thumbs = screen.getByRole("button", { name: "👍 2: You and Bob" });
      expect(thumbs).toHaveAttribute("aria-pressed", "true");
      expect(thumbs).toHaveAttribute("title", "👍 2: You and Bob");
      const party = screen.getByRole("button", { name: "🎉 1: Bob" });
      expect(party).toHaveAttribute("aria-pressed", "false");

      await user.click(thumbs);
      await user.click(party);
      expect(onReact.mock.calls).toEqual([
        [THEIRS.id, "👍", false],
        [THEIRS.id, "🎉", true],
      ]);
    });

    it("picks from the palette with the keyboard from the menu; Escape closes it back to the message", async () => {
      const { user, onReact, row } = renderRow(confirmed(THEIRS), { mine: false, replies: true });
      row.focus();
      await user.keyboard("{Enter}{ArrowDown}");
      expect(screen.getByRole("menuitem", { name: "Add reaction" })).toHaveFocus();
      await user.keyboard("{Enter}");
      const picker = screen.getByRole("menu", { name: "Pick a reaction" });
      expect(within(picker).getByRole("menuitem", { name: "React with thumbs up" })).toHaveFocus();
      await user.keyboard("{Escape}");
      expect(screen.queryByRole("menu")).toBeNull();
      expect(row).toHaveFocus();

      await user.keyboard("{Enter}{ArrowUp}{Enter}{ArrowRight}{ArrowRight}{ArrowLeft}");
      expect(screen.getByRole("menuitem", { name: "React with heart" })).toHaveFocus();
      await user.keyboard("{Enter}");
      expect(onReact).toHaveBeenCalledExactlyOnceWith(THEIRS.id, "❤️", true);
      expect(screen.queryByRole("menu")).toBeNull();
      expect(row).toHaveFocus();
    });

    it("takes back a reaction picked again from the palette, and shows a refusal beside the message", async () => {
      const refused = { ok: false as const, message: "No more reactions on this message: limit reached" };
      const { user, onReact } = renderRow(confirmed(THEIRS), { mine: false, replies: true, outcome: refused });
      await user.click(screen.getByRole("button", { name: "Add reaction" }));
      await user.click(screen.getByRole("menuitem", { name: "React with thumbs up" }));
      expect(onReact).toHaveBeenCalledExactlyOnceWith(THEIRS.id, "👍", false);
      expect(await screen.findByRole("alert")).toHaveTextContent("No more reactions on this message");
    });
  });

  it("highlights the @-mentions the server found, mine standing out, as text only", () => {
    const body = "@alice and @bob: <b>@carol</b>";
    renderRow(confirmed(makeMessage({ seq: 5, senderId: "bob", body, mentions: ["alice", "bob"] })), { mine: false });
    const row = screen.getByTestId("message");
    expect(row.querySelector('[data-mention="self"]')).toHaveTextContent("@alice");
    expect(row.querySelector('[data-mention="other"]')).toHaveTextContent("@bob");
    expect(row.querySelectorAll("[data-mention]")).toHaveLength(2);
    expect(row.querySelector("b")).toBeNull();
    expect(row).toHaveTextContent(body);
  });
});
