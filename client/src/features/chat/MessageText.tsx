import { useMemo } from "react";
import { linkify, type Segment } from "./linkify";
import { splitMentions, type MentionSegment, type MentionTarget } from "./mentions";

type MessageTextProps = {
  body: string;
  /** The users the message mentions (its `mentions`, with their usernames): their `@name` stands out. */
  mentions?: readonly MentionTarget[];
  selfId?: string;
};

/** A message body as React text nodes, http(s) links and mention spans only: bodies are plain text, never HTML. */
export function MessageText({ body, mentions = [], selfId }: MessageTextProps) {
  const segments = useMemo(
    () =>
      linkify(body).flatMap<Segment | MentionSegment>((segment) =>
        segment.kind === "link" ? [segment] : splitMentions(segment.text, mentions),
      ),
    [body, mentions],
  );
  return segments.map((segment, index) => {
    switch (segment.kind) {
      case "link":
        return (
          <a
            key={index}
            href={segment.href}
            target="_blank"
            rel="noopener noreferrer"
            className="link underline-offset-2 focus-visible:outline-2 focus-visible:outline-current"
          >
            {segment.text}
          </a>
        );
      case "mention":
        return segment.userId === selfId ? (
          // Me being named is what the reader looks for: marked, not only coloured.
          <mark
            key={index}
            data-mention="self"
            className="bg-warning text-warning-content rounded px-0.5 font-semibold"
          >
            {segment.text}
          </mark>
        ) : (
          <span key={index} data-mention="other" className="font-semibold">
            {segment.text}
          </span>
        );
      default:
        return segment.text;
    }
  });
}
