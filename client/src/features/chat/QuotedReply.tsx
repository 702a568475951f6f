import { useState } from "react";
import type { ReplyQuote } from "../../../../shared/protocol";
import { displayNameOf, useConversationMembers } from "./conversationMembers";

/** What a quote says of its parent: the excerpt, or that the parent is gone. */
function quoteText(quote: ReplyQuote): string {
  return quote.deleted ? "Original message deleted" : quote.excerpt;
}

/**
 * The compact quote above a reply. Activating it brings the parent into view and focuses it when it is
 * loaded; an older parent not fetched yet is said to be so rather than silently doing nothing.
 */
export function QuotedReply({ quote, onJump }: { quote: ReplyQuote; onJump?: (messageId: string) => boolean }) {
  const members = useConversationMembers();
  const [notLoaded, setNotLoaded] = useState(false);
  const name = displayNameOf(members, quote.senderId);
  return (
    <>
      <button
        type="button"
        className="border-current/40 mb-1 block w-full max-w-full cursor-pointer truncate rounded border-l-4 bg-current/5 px-2 py-0.5 text-left text-xs"
        title="Go to the original message"
        onClick={() => setNotLoaded(onJump ? !onJump(quote.id) : true)}
      >
        {/* The colon is visible text: as sr-only text it was a block to the browser, which named the quote "Alice : …". */}
        <span className="font-semibold">{name}</span>:{" "}
        <span className={quote.deleted ? "italic" : ""}>{quoteText(quote)}</span>
      </button>
      {notLoaded && (
        <span role="status" className="mb-1 block text-xs italic">
          The original message is not loaded: scroll up to find it.
        </span>
      )}
    </>
  );
}
