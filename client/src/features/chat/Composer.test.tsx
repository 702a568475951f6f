import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { makeMessage, makeUser } from "../../test/factories";
import { renderWithProviders } from "../../test/renderWithProviders";
import type { ConnectionStatus } from "../connection/connectionSlice";
import { Composer } from "./Composer";
import { ConversationMembersContext } from "./conversationMembers";

const CONVERSATION = "dm:alice:bob";

function renderComposer(connection: ConnectionStatus = "connected", conversationId = CONVERSATION) {
  const onSend = vi.fn();
  const onTyping = vi.fn();
  const rendered = renderWithProviders(
    <Composer conversationId={conversationId} onSend={onSend} onTyping={onTyping} />,
    {
      preloadedState: { connection: { status: connection, reconnectAttempt: 0 } },
    },
  );
  return {
    ...rendered,
    onSend,
    onTyping,
    textbox: screen.getByLabelText("Message"),
    sendButton: screen.getByRole("button", { name: "Send" }),
  };
}

describe("Composer", () => {
  it("sends the trimmed text on Enter and clears the box", async () => {
    const { user, onSend, textbox } = renderComposer();
    await user.type(textbox, "  hello there  {Enter}");
    expect(onSend).toHaveBeenCalledExactlyOnceWith("hello there");
    expect(textbox).toHaveValue("");
  });

  it("inserts a newline on Shift+Enter instead of sending", async () => {
    const { user, onSend, textbox } = renderComposer();
    await user.type(textbox, "line one{Shift>}{Enter}{/Shift}line two");
    expect(onSend).not.toHaveBeenCalled();
    expect(textbox).toHaveValue("line one\nline two");

    await user.click(screen.getByRole("button", { name: "Send" }));
    expect(onSend).toHaveBeenCalledExactlyOnceWith("line one\nline two");
  });

  it("does not send an empty or blank message", async () => {
    const { user, onSend, textbox, sendButton } = renderComposer();
    expect(sendButton).toBeDisabled();
    await user.type(textbox, "   {Enter}");
    expect(onSend).not.toHaveBeenCalled();
    expect(sendButton).toBeDisabled();
  });

  it.each<ConnectionStatus>(["connecting", "reconnecting", "offline", "disconnected"])(
    "still accepts a message while %s, to be queued as pending",
    async (status) => {
      const { user, onSend, textbox, sendButton } = renderComposer(status);
      expect(
        screen.getByText("Not connected: messages are kept and sent when the connection is back."),
      ).toBeInTheDocument();
      await user.type(textbox, "wait for me");
      expect(sendButton).toBeEnabled();
      await user.keyboard("{Enter}");
      expect(onSend).toHaveBeenCalledExactlyOnceWith("wait for me");
      expect(textbox).toHaveValue("");
    },
  );

  it("reports typing while the box holds text, and stops on send, on blur and when emptied", async () => {
    const { user, onTyping, textbox } = renderComposer();
    await user.type(textbox, "hi");
    expect(onTyping.mock.calls.at(-1)).toEqual([true]);
    await user.clear(textbox);
    expect(onTyping.mock.calls.at(-1)).toEqual([false]);

    await user.type(textbox, "again");
    await user.tab();
    expect(onTyping.mock.calls.at(-1)).toEqual([false]);

    await user.type(textbox, "{Enter}");
    expect(onTyping.mock.calls.at(-1)).toEqual([false]);
  });

  it("keeps the draft of each conversation across remounts, and clears it after sending", async () => {
    const first = renderComposer();
    await first.user.type(first.textbox, "half a thought");
    first.unmount();

    const other = renderComposer("connected", "dm:alice:carol");
    expect(other.textbox).toHaveValue("");
    other.unmount();

    const again = renderComposer();
    expect(again.textbox).toHaveValue("half a thought");
    expect(sessionStorage.getItem(`parley.draft.${CONVERSATION}`)).toBe("half a thought");
    await again.user.type(again.textbox, "{Enter}");
    expect(again.onSend).toHaveBeenCalledExactlyOnceWith("half a thought");
    expect(sessionStorage.getItem(`parley.draft.${CONVERSATION}`)).toBeNull();
  });

  describe("replies", () => {
    const parent = makeMessage({ seq: 4, senderId: "bob", recipientId: "alice", body: "Lunch at noon?" });
    const members = { selfId: "alice", members: [makeUser({ id: "alice" }), makeUser({ id: "bob" })] };

    function renderReplying() {
      const onSend = vi.fn();
      const onCancelReply = vi.fn();
      const rendered = renderWithProviders(
        <ConversationMembersContext value={members}>
          <Composer conversationId={CONVERSATION} onSend={onSend} replyingTo={parent} onCancelReply={onCancelReply} />
        </ConversationMembersContext>,
      );
      return { ...rendered, onSend, onCancelReply, textbox: screen.getByLabelText("Message") };
    }

    it("quotes the message being answered and sends its quote with the reply", async () => {
      const { user, onSend, onCancelReply, textbox } = renderReplying();
      expect(screen.getByRole("group", { name: "Reply" })).toHaveTextContent("Replying to Bob: Lunch at noon?");
      expect(textbox).toHaveFocus();
      await user.type(textbox, "yes{Enter}");
      expect(onSend).toHaveBeenCalledExactlyOnceWith("yes", {
        id: parent.id,
        seq: 4,
        senderId: "bob",
        excerpt: "Lunch at noon?",
        deleted: false,
      });
      expect(onCancelReply).toHaveBeenCalledOnce();
    });

    it("cancels the reply with Escape or its dismiss button, keeping the text", async () => {
      const { user, onSend, onCancelReply, textbox } = renderReplying();
      await user.type(textbox, "hm{Escape}");
      expect(onCancelReply).toHaveBeenCalledOnce();
      await user.click(screen.getByRole("button", { name: "Cancel reply" }));
      expect(onCancelReply).toHaveBeenCalledTimes(2);
      expect(textbox).toHaveValue("hm");
      expect(textbox).toHaveFocus();
      expect(onSend).not.toHaveBeenCalled();
    });
  });

  describe("@-mentions", () => {
    const members = {
      selfId: "alice",
      members: [makeUser({ id: "alice" }), makeUser({ id: "bob" }), makeUser({ id: "bella", displayName: "Bea" })],
    };

    function renderWithMembers() {
      const onSend = vi.fn();
      renderWithProviders(
        <ConversationMembersContext value={members}>
          <Composer conversationId={CONVERSATION} onSend={onSend} />
        </ConversationMembersContext>,
      );
      return { onSend, box: screen.getByRole("combobox", { name: "Message" }) };
    }

    it("offers matching members as a listbox; arrow keys choose, Enter inserts @username", async () => {
      const { onSend, box } = renderWithMembers();
      const user = userEvent.setup();
      expect(box).toHaveAttribute("aria-expanded", "false");
      await user.type(box, "hi @b");
      expect(box).toHaveAttribute("aria-expanded", "true");
      const options = within(screen.getByRole("listbox", { name: "People to mention" })).getAllByRole("option");
      expect(options.map((option) => option.textContent)).toEqual(["Bob @bob", "Bea @bella"]);
      expect(box).toHaveAttribute("aria-activedescendant", options[0]?.id);
      await user.keyboard("{ArrowDown}");
      expect(options[1]).toHaveAttribute("aria-selected", "true");
      expect(box).toHaveAttribute("aria-activedescendant", options[1]?.id);
      await user.keyboard("{Enter}");
      expect(box).toHaveValue("hi @bella ");
      expect(screen.queryByRole("listbox")).toBeNull();
      expect(onSend).not.toHaveBeenCalled();

      await user.type(box, "and @bo{Tab}");
      expect(box).toHaveValue("hi @bella and @bob ");
      expect(box).toHaveFocus();
    });

    it("closes with Escape, leaving the text as typed; Enter then sends", async () => {
      const { onSend, box } = renderWithMembers();
      const user = userEvent.setup();
      await user.type(box, "@al");
      expect(screen.getByRole("listbox")).toBeVisible();
      await user.keyboard("{Escape}");
      expect(screen.queryByRole("listbox")).toBeNull();
      expect(box).toHaveAttribute("aria-expanded", "false");
      await user.keyboard("{Enter}");
      expect(onSend).toHaveBeenCalledExactlyOnceWith("@al");
    });
  });
});
