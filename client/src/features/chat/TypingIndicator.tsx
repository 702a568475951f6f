import { useAppSelector } from "../../app/hooks";
import { selectPeerTypingUntil } from "./selectors";

/** "<Name> is typing…" while the peer's last `typing: true` is fresh; the socket hook expires it after 6 s. */
export function TypingIndicator({ conversationId, peerName }: { conversationId: string; peerName: string }) {
  const typing = useAppSelector((state) => selectPeerTypingUntil(state, conversationId)) !== null;
  return (
    // The line keeps its height, so the composer does not jump when the indicator comes and goes.
    <div className="h-6 px-4" aria-live="polite">
      {typing && (
        <p data-testid="typing-indicator" className="text-base-content/70 flex items-center gap-1 text-xs italic">
          {peerName} is typing
          <span className="loading loading-dots loading-xs" aria-hidden="true" />
        </p>
      )}
    </div>
  );
}
