import { useAppSelector } from "../../app/hooks";
import type { RootState } from "../../app/store";
import { selectConfirmedMessages, selectGroup } from "../chat/selectors";

/** Names shown before "and N others". */
const NAMES_SHOWN = 3;

/**
 * Who has read my latest message, from the members' read watermarks (v2 §6: seen-by = readSeq ≥ seq),
 * O(members); null while nobody else has.
 */
function selectSeenBy(state: RootState, conversationId: string, selfId: string): string | null {
  const group = selectGroup(state, conversationId);
  const latest = selectConfirmedMessages(state, conversationId).findLast(
    (message) => message.senderId === selfId && message.kind === "text",
  );
  if (group === null || latest === undefined) return null;
  const others = group.members.filter((member) => member.user.id !== selfId);
  const seen = others.filter((member) => member.readSeq >= latest.seq).map((member) => member.user.displayName);
  if (seen.length === 0) return null;
  if (seen.length === others.length) return "Seen by everyone";
  if (seen.length <= NAMES_SHOWN) return `Seen by ${seen.join(", ")}`;
  return `Seen by ${seen.slice(0, NAMES_SHOWN).join(", ")} and ${seen.length - NAMES_SHOWN} others`;
}

export function SeenBy({ conversationId, selfId }: { conversationId: string; selfId: string }) {
  const text = useAppSelector((state) => selectSeenBy(state, conversationId, selfId));
  return (
    <p data-testid="seen-by" className="text-base-content/70 h-4 px-4 text-right text-xs">
      {text}
    </p>
  );
}
