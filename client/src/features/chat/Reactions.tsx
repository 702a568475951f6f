import { useState } from "react";
import type { Message } from "../../../../shared/protocol";
import type { ChangeOutcome } from "./chatSlice";
import { displayNameOf, useConversationMembers, type ConversationMembers } from "./conversationMembers";
import { useMenu } from "../../lib/menuKeys";

/**
 * A fixed palette rather than an emoji library: a full picker with its data and search costs tens of kB
 * gzipped, more than the bundle budget has left, and these cover most reactions. Emoji sent by other clients
 * still show as chips and can be joined.
 */
const REACTION_PALETTE = [
  { emoji: "👍", name: "thumbs up" },
  { emoji: "❤️", name: "heart" },
  { emoji: "😂", name: "laughing" },
  { emoji: "😮", name: "surprised" },
  { emoji: "😢", name: "sad" },
  { emoji: "🙏", name: "thanks" },
  { emoji: "🎉", name: "party" },
  { emoji: "👀", name: "eyes" },
] as const;

export type ReactHandler = (messageId: string, emoji: string, add: boolean) => Promise<ChangeOutcome>;

/** "You", then the others in the order they reacted: "You, Bob and Carol". */
function describeReactors(members: ConversationMembers, userIds: readonly string[]): string {
  const mine = userIds.includes(members.selfId);
  const names = [
    ...(mine ? ["You"] : []),
    ...userIds.filter((id) => id !== members.selfId).map((id) => displayNameOf(members, id)),
  ];
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** The chips under a message: each toggles my reaction with its emoji; the server's answer is what shows. */
export function ReactionChips({
  message,
  onReact,
  onOutcome,
}: {
  message: Message;
  onReact: ReactHandler;
  onOutcome: (outcome: ChangeOutcome) => void;
}) {
  const members = useConversationMembers();
  const [busyEmoji, setBusyEmoji] = useState<string | null>(null);
  if (message.reactions.length === 0) return null;

  async function toggle(emoji: string, add: boolean) {
    setBusyEmoji(emoji);
    onOutcome(await onReact(message.id, emoji, add));
    setBusyEmoji(null);
  }

  return (
    <ul className="flex flex-wrap gap-1" aria-label="Reactions">
      {message.reactions.map(({ emoji, userIds }) => {
        const mine = userIds.includes(members.selfId);
        const label = `${emoji} ${userIds.length}: ${describeReactors(members, userIds)}`;
        return (
          <li key={emoji}>
            <button
              type="button"
              className={`btn btn-xs rounded-full ${mine ? "btn-primary btn-soft border-primary" : "btn-ghost border-base-content/20"}`}
              aria-pressed={mine}
              aria-label={label}
              title={label}
              disabled={busyEmoji === emoji}
              onClick={() => void toggle(emoji, !mine)}
            >
              <span aria-hidden="true">{emoji}</span>
              <span aria-hidden="true">{userIds.length}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/**
 * The palette as a small menu, opened by "Add reaction": arrow keys move, Enter picks, Escape closes back to the
 * message. Picking an emoji I already reacted with takes it back, as its chip does.
 */
export function ReactionPicker({
  message,
  onReact,
  onOutcome,
  onClose,
}: {
  message: Message;
  onReact: ReactHandler;
  onOutcome: (outcome: ChangeOutcome) => void;
  onClose: (returnFocus: boolean) => void;
}) {
  const menu = useMenu(true, onClose);
  const { selfId } = useConversationMembers();

  async function pick(emoji: string) {
    onClose(true);
    const mine = message.reactions.some((reaction) => reaction.emoji === emoji && reaction.userIds.includes(selfId));
    onOutcome(await onReact(message.id, emoji, !mine));
  }

  return (
    <ul
      {...menu}
      role="menu"
      aria-label="Pick a reaction"
      className="bg-base-100 text-base-content rounded-box border-base-300 absolute right-0 bottom-full z-20 flex gap-0.5 border p-1 shadow-lg"
    >
      {REACTION_PALETTE.map(({ emoji, name }) => (
        <li role="none" key={emoji}>
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            className="btn btn-ghost btn-sm btn-square text-lg"
            aria-label={`React with ${name}`}
            title={name}
            onClick={() => void pick(emoji)}
          >
            {emoji}
          </button>
        </li>
      ))}
    </ul>
  );
}
