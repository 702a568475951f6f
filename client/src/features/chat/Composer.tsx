import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";
import { codePointLength, LIMITS, type Message, type ReplyQuote, type User } from "../../../../shared/protocol";
import { useAppSelector } from "../../app/hooks";
import { loadDraft, saveDraft } from "./drafts";
import { selectConnectionStatus } from "../connection/connectionSlice";
import { displayNameOf, useConversationMembers } from "./conversationMembers";
import { mentionCandidates, mentionQueryAt, type MentionQuery } from "./mentions";
import { quoteExcerpt } from "./reconcile";
import { isSubmitKey } from "./submitKey";

type ComposerProps = {
  conversationId: string;
  onSend: (body: string, replyTo?: ReplyQuote) => void;
  /** true while the box holds text being written; false on send, blur or when emptied. */
  onTyping?: (typing: boolean) => void;
  disabled?: boolean;
  /** The message being answered, chosen from its row; the composer quotes it until sent or cancelled. */
  replyingTo?: Message | null;
  onCancelReply?: () => void;
};

/** The quote a reply carries while it waits for the server, built as the server will build it. */
function quoteOf(message: Message): ReplyQuote {
  const { id, seq, senderId, body } = message;
  return { id, seq, senderId, excerpt: quoteExcerpt(body), deleted: false };
}

export function Composer({
  conversationId,
  onSend,
  onTyping,
  disabled = false,
  replyingTo = null,
  onCancelReply,
}: ComposerProps) {
  const id = useId();
  const connected = useAppSelector(selectConnectionStatus) === "connected";
  const members = useConversationMembers();
  const [draft, setDraftState] = useState(() => loadDraft(conversationId));
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const [mention, setMention] = useState<MentionQuery | null>(null);
  const [activeIndex, setActiveIndex] = useState(0);
  const candidates = mention ? mentionCandidates(members.members, mention.query) : [];
  const listOpen = candidates.length > 0;
  const active = candidates[Math.min(activeIndex, candidates.length - 1)];

  // Opening a chat is for writing in it: typing needs no Tab. Not on touch screens, where it would pop up
  // the keyboard over the conversation.
  useEffect(() => {
    if (window.matchMedia?.("(pointer: coarse)").matches) return;
    textareaRef.current?.focus({ preventScroll: true });
  }, []);
  // Reply chosen from a message's menu: the answer is written here.
  const replyingToId = replyingTo?.id;
  useEffect(() => {
    if (replyingToId !== undefined) textareaRef.current?.focus();
  }, [replyingToId]);

  const body = draft.trim();
  const length = codePointLength(body);
  const tooLong = length > LIMITS.bodyMaxCodePoints;
  // Disconnected is no reason to refuse: the message waits in the outbox as pending.
  const canSend = !disabled && length > 0 && !tooLong;

  function setDraft(text: string) {
    setDraftState(text);
    saveDraft(conversationId, text);
  }

  function submit() {
    if (!canSend) return;
    if (replyingTo) {
      onSend(body, quoteOf(replyingTo));
      onCancelReply?.();
    } else onSend(body);
    setDraft("");
    setMention(null);
    onTyping?.(false);
  }

  // Placed as soon as React has written the new text, before the next key can land at the old caret
  // (a frame later, a fast typist's next letter could).
  const caretAfterRender = useRef<number | null>(null);
  useLayoutEffect(() => {
    const caret = caretAfterRender.current;
    if (caret === null) return;
    caretAfterRender.current = null;
    textareaRef.current?.setSelectionRange(caret, caret);
  });

  function followCaret(text: string, caret: number) {
    const next = mentionQueryAt(text, caret);
    if (next?.start !== mention?.start || next?.query !== mention?.query) setActiveIndex(0);
    setMention(next);
  }

  function insertMention(member: User) {
    if (!mention) return;
    const end = mention.start + 1 + mention.query.length;
    const inserted = `@${member.username} `;
    setDraft(draft.slice(0, mention.start) + inserted + draft.slice(end));
    setMention(null);
    caretAfterRender.current = mention.start + inserted.length;
  }

  function handleKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (listOpen && active) {
      const move = (by: number) =>
        setActiveIndex((candidates.indexOf(active) + by + candidates.length) % candidates.length);
      switch (event.key) {
        case "ArrowDown":
          move(1);
          break;
        case "ArrowUp":
          move(-1);
          break;
        case "Enter":
        case "Tab":
          insertMention(active);
          break;
        case "Escape":
          setMention(null);
          break;
        default:
          return;
      }
      event.preventDefault();
      return;
    }
    if (event.key === "Escape" && replyingTo) {
      event.preventDefault();
      onCancelReply?.();
      return;
    }
    if (isSubmitKey(event)) {
      event.preventDefault();
      submit();
    }
  }

  const hint = tooLong
    ? `Too long: ${length} of ${LIMITS.bodyMaxCodePoints} characters.`
    : connected
      ? null
      : "Not connected: messages are kept and sent when the connection is back.";
  const optionId = (member: User) => `${id}-mention-${member.id}`;

  return (
    <form
      className="border-base-300 bg-base-100 flex items-end gap-2 border-t p-2 sm:p-3"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className="relative flex min-w-0 flex-1 flex-col gap-1">
        {replyingTo && (
          <div
            role="group"
            aria-label="Reply"
            className="border-primary bg-base-200 flex items-center gap-2 rounded border-l-4 px-2 py-1 text-sm"
          >
            <span className="min-w-0 flex-1 truncate">
              Replying to <span className="font-semibold">{displayNameOf(members, replyingTo.senderId)}</span>:{" "}
              {quoteExcerpt(replyingTo.body)}
            </span>
            <button
              type="button"
              className="btn btn-ghost btn-xs btn-square"
              aria-label="Cancel reply"
              aria-keyshortcuts="Escape"
              onClick={() => {
                onCancelReply?.();
                textareaRef.current?.focus();
              }}
            >
              <span aria-hidden="true">✕</span>
            </button>
          </div>
        )}
        {listOpen && (
          <ul
            id={`${id}-mentions`}
            role="listbox"
            aria-label="People to mention"
            className="menu menu-sm bg-base-100 rounded-box border-base-300 absolute bottom-full left-0 z-20 mb-1 w-64 border p-1 shadow-lg"
          >
            {candidates.map((member) => (
              <li
                key={member.id}
                id={optionId(member)}
                role="option"
                aria-selected={member === active}
                className={`cursor-pointer rounded px-2 py-1 ${member === active ? "bg-primary text-primary-content" : ""}`}
                // Keeps the focus in the textarea, where the caret is.
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => insertMention(member)}
              >
                <span className="font-medium">{member.displayName}</span>{" "}
                <span className="opacity-70">@{member.username}</span>
              </li>
            ))}
          </ul>
        )}
        <label htmlFor={`${id}-body`} className="sr-only">
          Message
        </label>
        <textarea
          ref={textareaRef}
          id={`${id}-body`}
          // A combobox: typing "@" offers the conversation's members to mention.
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={listOpen}
          aria-controls={listOpen ? `${id}-mentions` : undefined}
          aria-activedescendant={listOpen && active ? optionId(active) : undefined}
          className="textarea max-h-40 min-h-11 w-full resize-none"
          rows={Math.min(6, draft.split("\n").length)}
          // Short enough for one line on a phone; the keys are in aria-keyshortcuts.
          placeholder="Write a message…"
          aria-keyshortcuts="Enter Shift+Enter"
          value={draft}
          onChange={(event) => {
            setDraft(event.target.value);
            followCaret(event.target.value, event.target.selectionStart);
            onTyping?.(event.target.value.trim() !== "");
          }}
          onSelect={(event) => followCaret(event.currentTarget.value, event.currentTarget.selectionStart)}
          onBlur={() => {
            setMention(null);
            onTyping?.(false);
          }}
          onKeyDown={handleKeyDown}
          aria-invalid={tooLong}
          aria-describedby={hint ? `${id}-hint` : undefined}
        />
        {hint && (
          <p id={`${id}-hint`} className={`text-xs ${tooLong ? "text-error" : "text-base-content/60"}`}>
            {hint}
          </p>
        )}
      </div>
      <button type="submit" className="btn btn-primary" disabled={!canSend}>
        Send
      </button>
    </form>
  );
}
