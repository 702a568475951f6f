export type Segment = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

// Only http(s) is ever a link: a `javascript:` or `data:` text never becomes one.
const URL_CANDIDATE = /\bhttps?:\/\/[^\s<>"`]+/gi;
// Sentence punctuation after a URL belongs to the sentence, not to the URL.
const TRAILING_PUNCTUATION = /[.,;:!?'*_]+$/;
const CLOSERS: Record<string, string> = { ")": "(", "]": "[", "}": "{" };

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** Drops trailing punctuation, and a closing bracket that has no opening one inside the URL ("(see http://a.b)"). */
function trimUrl(candidate: string): string {
  let url = candidate;
  for (;;) {
    const trimmed = url.replace(TRAILING_PUNCTUATION, "");
    const last = trimmed.at(-1) ?? "";
    const opener = CLOSERS[last];
    url = opener !== undefined && count(trimmed, last) > count(trimmed, opener) ? trimmed.slice(0, -1) : trimmed;
    if (url === trimmed) return url;
  }
}

function isWebUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** Splits plain text into text and http(s) link segments; rendered as React nodes, never as HTML. */
export function linkify(text: string): Segment[] {
  const segments: Segment[] = [];
  let textStart = 0;
  for (const match of text.matchAll(URL_CANDIDATE)) {
    const url = trimUrl(match[0]);
    if (!isWebUrl(url)) continue;
    if (match.index > textStart) segments.push({ kind: "text", text: text.slice(textStart, match.index) });
    segments.push({ kind: "link", text: url, href: url });
    textStart = match.index + url.length;
  }
  if (textStart < text.length) segments.push({ kind: "text", text: text.slice(textStart) });
  return segments;
}
