/** Unsent text per conversation, in sessionStorage: it survives switching conversations and a reload of this tab. */
function draftKey(conversationId: string): string {
  return `parley.draft.${conversationId}`;
}

export function loadDraft(conversationId: string): string {
  try {
    return sessionStorage.getItem(draftKey(conversationId)) ?? "";
  } catch {
    // Storage can be unavailable (privacy modes); a draft is a convenience, not data.
    return "";
  }
}

export function saveDraft(conversationId: string, text: string): void {
  try {
    if (text === "") sessionStorage.removeItem(draftKey(conversationId));
    else sessionStorage.setItem(draftKey(conversationId), text);
  } catch {
    // Quota or disabled storage: the draft simply lives as long as the page.
  }
}
