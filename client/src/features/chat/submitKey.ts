import type { KeyboardEvent } from "react";

/** Enter submits, Shift+Enter is a newline; an IME composing text keeps its Enter. */
export function isSubmitKey(event: KeyboardEvent<HTMLTextAreaElement>): boolean {
  return event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing;
}
