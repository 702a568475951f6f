import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { codePointLength, LIMITS } from "../../../../shared/protocol";
import { useAppSelector } from "../../app/hooks";
import { loadDraft, saveDraft } from "./drafts";
import { selectConnectionStatus } from "../connection/connectionSlice";
import { isSubmitKey } from "./submitKey";

type ComposerProps = {
  conversationId: string;
  onSend: (body: string) => void;
  /** true while the box holds text being written; false on send, blur or when emptied. */
  onTyping?: (typing: boolean) => void;
  disabled?: boolean;
};

export function Composer({ conversationId, onSend, onTyping, disabled = false }: ComposerProps) {
  const id = useId();
  const connected = useAppSelector(selectConnectionStatus) === "connected";
  const [draft, setDraftState] = useState(() => loadDraft(conversationId));
  const textareaRef = useRef<HTMLTextAreaElement>(null);

  // Opening a chat is for writing in it: typing needs no Tab. Not on touch screens, where it would pop up
  // the keyboard over the conversation.
  useEffect(() => {
    if (window.matchMedia?.("(pointer: coarse)").matches) return;
    textareaRef.current?.focus({ preventScroll: true });
  }, []);
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
    onSend(body);
    setDraft("");
    onTyping?.(false);
  }

  function handleKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
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

  return (
    <form
      className="border-base-300 bg-base-100 flex items-end gap-2 border-t p-2 sm:p-3"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className="flex flex-1 flex-col gap-1">
        <label htmlFor={`${id}-body`} className="sr-only">
          Message
        </label>
        <textarea
          ref={textareaRef}
          id={`${id}-body`}
          className="textarea max-h-40 min-h-11 w-full resize-none"
          rows={Math.min(6, draft.split("\n").length)}
          // Short enough for one line on a phone; the keys are in aria-keyshortcuts.
          placeholder="Write a message…"
          aria-keyshortcuts="Enter Shift+Enter"
          value={draft}
          onChange={(event) => {
            setDraft(event.target.value);
            onTyping?.(event.target.value.trim() !== "");
          }}
          onBlur={() => onTyping?.(false)}
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
