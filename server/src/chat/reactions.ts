import type { Message } from "../../../shared/protocol";
import { reactionSchema } from "../../../shared/schemas";
import { AppError } from "../errors";
import { nowIso } from "../lib/ids";
import type { createKeyedQueue } from "../lib/serial-queue";
import type { Store } from "../store";
import type { ReactionLimits, ReactionOutcome } from "../store/types";
import { parseInput } from "../validation";
import type { Broadcaster } from "./broadcaster";
import type { ReactionLimiter } from "./send-limiter";
import type { Visibility } from "./visibility";

type Deps = {
  store: Store;
  broadcaster: Broadcaster;
  /** The queue edits and deletes use: a conversation's changes leave this node in rev order. */
  conversationQueue: ReturnType<typeof createKeyedQueue>;
  visibility: Visibility;
  limiter: ReactionLimiter;
  limits: ReactionLimits;
};

/** reaction:add and reaction:remove (PROTOCOL-v2 §5). */
export function createReactions(deps: Deps) {
  const { store, broadcaster, conversationQueue, visibility, limiter, limits } = deps;

  /** Every attempt costs a token, refused ones too; then the payload and the message it names. */
  async function target(selfId: string, payload: unknown) {
    const token = await limiter.take(selfId);
    if (!token.ok) throw new AppError("RATE_LIMITED", "reacting too fast", 429, token.retryAfterMs);
    const { messageId, emoji } = parseInput(reactionSchema, payload);
    const message = await visibility.visibleMessage(selfId, messageId);
    if (message.kind === "system") throw new AppError("VALIDATION", "a system message cannot be reacted to");
    return { message, reaction: { userId: selfId, emoji } };
  }

  /** Applies a change and tells everyone about it only when it changed something. */
  function apply(message: Message, change: () => Promise<ReactionOutcome>): Promise<ReactionOutcome> {
    return conversationQueue(message.conversationId, async () => {
      const outcome = await change();
      if (outcome.result === "changed") {
        broadcaster.messageUpdated(outcome.message, await visibility.messageAudience(message.conversationId));
      }
      return outcome;
    });
  }

  /** The message as stored now, for the ack of a change that had nothing to do. */
  async function current(message: Message): Promise<Message> {
    return (await store.findMessageById(message.id)) ?? message;
  }

  return {
    async add(selfId: string, payload: unknown): Promise<Message> {
      const { message, reaction } = await target(selfId, payload);
      const outcome = await apply(message, () => store.addReaction(message, { ...reaction, at: nowIso() }, limits));
      switch (outcome.result) {
        case "changed":
          return outcome.message;
        case "unchanged":
          return current(message);
        case "deleted":
          throw new AppError("VALIDATION", "a deleted message cannot be reacted to");
        case "limit":
          throw new AppError(
            "LIMIT_REACHED",
            outcome.limit === "maxDistinct"
              ? `a message holds at most ${limits.maxDistinct} different emoji`
              : `you may add at most ${limits.maxPerUser} reactions to a message`,
          );
      }
    },

    /** Nothing to remove from a deleted message: answered without one. */
    async remove(selfId: string, payload: unknown): Promise<Message | undefined> {
      const { message, reaction } = await target(selfId, payload);
      const outcome = await apply(message, () => store.removeReaction(message, reaction));
      switch (outcome.result) {
        case "changed":
          return outcome.message;
        case "deleted":
          return undefined;
        default:
          return current(message);
      }
    },
  };
}

export type Reactions = ReturnType<typeof createReactions>;
