import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { checkBody } from "../../../../shared/protocol";
import { isSubmitKey } from "./submitKey";

type MessageEditorProps = {
  initial: string;
  /** The text being edited; its owner keeps it, so it outlives this editor's mount. */
  value: string;
  onChange: (text: string) => void;
  /** Opened just now by the user: take the focus. A remount while scrolling must not steal it. */
  autoFocus: boolean;
  busy: boolean;
  onSave: (body: string) => void;
  onCancel: () => void;
};

/** Inline edit of one of my messages: Enter saves, Shift+Enter is a newline, Escape cancels. */
export function MessageEditor({
  initial,
  value: text,
  onChange,
  autoFocus,
  busy,
  onSave,
  onCancel,
}: MessageEditorProps) {
  const id = useId();
  const [invalid, setInvalid] = useState<string | null>(null);
  const textareaRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const textarea = textareaRef.current;
    if (!autoFocus || !textarea) return;
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  }, [autoFocus]);

  function save() {
    // The same rules as the server's, so a hopeless edit never makes the round trip.
    const checked = checkBody(text);
    if (!checked.ok) {
      setInvalid(`The message ${checked.problems[0] ?? "is not valid"}.`);
      return;
    }
    if (checked.value === initial) onCancel();
    else onSave(checked.value);
  }

  function handleKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      onCancel();
    } else if (isSubmitKey(event)) {
      event.preventDefault();
      save();
    }
  }

  return (
    <form
      className="flex w-full max-w-[85%] flex-col gap-1 sm:max-w-[70%]"
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
    >
      <textarea
        ref={textareaRef}
        aria-label="Edit message text"
        className="textarea w-full"
        rows={Math.min(6, text.split("\n").length + 1)}
        value={text}
        disabled={busy}
        onChange={(event) => {
          onChange(event.target.value);
          setInvalid(null);
        }}
        onKeyDown={handleKeyDown}
        aria-invalid={invalid !== null}
        aria-describedby={invalid ? `${id}-invalid` : undefined}
      />
      {invalid && (
        <p id={`${id}-invalid`} className="text-error text-xs">
          {invalid}
        </p>
      )}
      <div className="flex justify-end gap-1">
        <button type="button" className="btn btn-ghost btn-xs" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary btn-xs" disabled={busy}>
          {busy && <span className="loading loading-spinner loading-xs" aria-hidden="true" />}
          Save
        </button>
      </div>
    </form>
  );
}
