import { useAppSelector } from "../../app/hooks";
import { selectPeerTypingUntil } from "./selectors";

export function TypingIndicator({ conversationId, peerName }: { conversationId: string; peerName: string }) {
  const typing = useAppSelector((state) => selectPeerTypingUntil(state, conversationId)) !== null;
  return (
    <p className="text-base-content/60 h-5 px-4 text-xs italic" aria-live="polite">
      {typing ? `${peerName} is typing…` : ""}
    </p>
  );
}
