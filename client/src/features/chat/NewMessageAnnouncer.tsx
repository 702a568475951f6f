import { useState } from "react";
import { useAppSelector } from "../../app/hooks";
import type { Message } from "../../../../shared/protocol";
import { describeSystemEvent } from "./systemText";
import { selectHistoryLoaded, selectNewestMessage } from "./selectors";

/** `nameOf`: in a group, members' names, for the sender and for system notes. */
type Props = {
  conversationId: string;
  selfId: string;
  peerName: string;
  nameOf?: ((userId: string) => string) | undefined;
};

/**
 * Speaks each new message from the peer once, through a polite live region.
 * The log itself is not live: the virtualized rows mount and unmount while scrolling,
 * and history pages are no news. Only a newest message that arrives after the history
 * was loaded is announced.
 */
export function NewMessageAnnouncer({ conversationId, selfId, peerName, nameOf }: Props) {
  const loaded = useAppSelector((state) => selectHistoryLoaded(state, conversationId));
  const newest = useAppSelector((state) => selectNewestMessage(state, conversationId));
  const newestSeq = newest?.seq ?? 0;
  const [seen, setSeen] = useState({ loaded, seq: newestSeq, text: "" });

  // Derived while rendering (not in an effect), so the announcement lands in the same commit as the row.
  if (seen.loaded !== loaded || seen.seq !== newestSeq) {
    const fresh = seen.loaded && newest !== undefined && newest.seq > seen.seq && newest.senderId !== selfId;
    setSeen({
      loaded,
      seq: newestSeq,
      text: fresh && newest.deletedAt === null ? announcement(newest, peerName, nameOf) : seen.text,
    });
  }

  return (
    <div className="sr-only" aria-live="polite" aria-atomic="true" data-testid="new-message-announcer">
      {seen.text}
    </div>
  );
}

function announcement(message: Message, peerName: string, nameOf: Props["nameOf"]): string {
  if (message.system !== null && nameOf) return describeSystemEvent(message.senderId, message.system, nameOf);
  return `New message from ${nameOf?.(message.senderId) ?? peerName}: ${message.body}`;
}
