import { useAppSelector } from "../../app/hooks";
import { selectTypists } from "../chat/selectors";

/** "Bob is typing…", "Bob and Carol are typing…", "4 people are typing…": the group's fresh typists. */
export function GroupTypingIndicator({
  conversationId,
  nameOf,
}: {
  conversationId: string;
  nameOf: (userId: string) => string;
}) {
  const typists = useAppSelector((state) => selectTypists(state, conversationId));
  return (
    // The line keeps its height, so the composer does not jump when the indicator comes and goes.
    <div className="h-6 px-4" aria-live="polite">
      {typists.length > 0 && (
        <p data-testid="typing-indicator" className="text-base-content/70 flex items-center gap-1 text-xs italic">
          {describeTypists(typists.map(nameOf))}
          <span className="loading loading-dots loading-xs" aria-hidden="true" />
        </p>
      )}
    </div>
  );
}

function describeTypists(names: string[]): string {
  if (names.length === 1) return `${names[0]} is typing`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing`;
  return `${names.length} people are typing`;
}
