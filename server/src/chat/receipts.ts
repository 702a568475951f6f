import { conversationIdFor } from "../../../shared/protocol";
import { receiptSchema } from "../../../shared/schemas";
import type { createKeyedQueue } from "../lib/serial-queue";
import type { Store } from "../store";
import type { AdvancedWatermarks, Watermarks } from "../store/types";
import { parseInput } from "../validation";
import type { Broadcaster } from "./broadcaster";
import { notFound } from "../errors";
import { groupConversationOf, peerIdOf } from "./conversation-ref";
import type { UserDirectory } from "./users";
import type { Visibility } from "./visibility";

export function createReceipts(deps: {
  store: Store;
  users: UserDirectory;
  visibility: Visibility;
  broadcaster: Broadcaster;
  conversationQueue: ReturnType<typeof createKeyedQueue>;
}) {
  const { store, users, visibility, broadcaster, conversationQueue } = deps;

  /**
   * Stores a receipt with `advance` and announces it when a watermark moved. Queued so two tabs' receipts are
   * announced in the order they were stored.
   */
  function advanceAndAnnounce(
    selfId: string,
    conversationId: string,
    advance: () => Promise<AdvancedWatermarks | null>,
  ): Promise<void> {
    return conversationQueue(conversationId, async () => {
      const result = await advance();
      // A group member removed since the membership check.
      if (!result) throw notFound("conversation");
      if (result.changed) {
        broadcaster.receipt({
          conversationId,
          userId: selfId,
          deliveredSeq: result.deliveredSeq,
          readSeq: result.readSeq,
        });
      }
    });
  }

  /** A group member's: never below their joinedSeq; to the reader's sockets and those joined to the group. */
  async function updateInGroup(selfId: string, conversationId: string, requested: Partial<Watermarks>) {
    await visibility.groupMembership(selfId, conversationId);
    await advanceAndAnnounce(selfId, conversationId, () =>
      store.advanceGroupWatermarks(conversationId, selfId, requested),
    );
  }

  return {
    /** conversation:receipt: watermarks move forward only; an event goes out only when one moved. */
    async update(selfId: string, payload: unknown): Promise<void> {
      const { deliveredSeq, readSeq, ...ref } = parseInput(receiptSchema, payload);
      const group = groupConversationOf(ref);
      if (group) return updateInGroup(selfId, group, { deliveredSeq, readSeq });
      const peerId = peerIdOf(selfId, ref);
      await users.require(peerId);
      const conversationId = conversationIdFor(selfId, peerId);
      await advanceAndAnnounce(selfId, conversationId, () =>
        store.advanceWatermarks(conversationId, selfId, { deliveredSeq, readSeq }),
      );
    },
  };
}

export type Receipts = ReturnType<typeof createReceipts>;
