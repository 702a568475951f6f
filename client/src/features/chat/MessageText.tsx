import { useMemo } from "react";
import { linkify } from "./linkify";

/** A message body as React text nodes and http(s) links only: bodies are plain text, never HTML. */
export function MessageText({ body }: { body: string }) {
  const segments = useMemo(() => linkify(body), [body]);
  return segments.map((segment, index) =>
    segment.kind === "link" ? (
      <a
        key={index}
        href={segment.href}
        target="_blank"
        rel="noopener noreferrer"
        className="link underline-offset-2 focus-visible:outline-2 focus-visible:outline-current"
      >
        {segment.text}
      </a>
    ) : (
      segment.text
    ),
  );
}
