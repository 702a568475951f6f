import { conversationIdFor } from "../../../shared/protocol";
import { receiptSchema } from "../../../shared/schemas";
import type { createKeyedQueue } from "../lib/serial-queue";
import type { Store } from "../store";
import type { Watermarks } from "../store/types";
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

  /** A group member's: never below their joinedSeq; to the reader's sockets and those joined to the group. */
  async function updateInGroup(selfId: string, conversationId: string, requested: Partial<Watermarks>) {
    await visibility.groupMembership(selfId, conversationId);
    await conversationQueue(conversationId, async () => {
      const result = await store.advanceGroupWatermarks(conversationId, selfId, requested);
      // Removed since the check above.
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

  return {
    /** conversation:receipt: watermarks move forward only; an event goes out only when one moved. */
    async update(selfId: string, payload: unknown): Promise<void> {
      const { deliveredSeq, readSeq, ...ref } = parseInput(receiptSchema, payload);
      const group = groupConversationOf(ref);
      if (group) return updateInGroup(selfId, group, { deliveredSeq, readSeq });
      const peerId = peerIdOf(selfId, ref);
      await users.require(peerId);
      const conversationId = conversationIdFor(selfId, peerId);
      // Queued so two tabs' receipts are announced in the order they were stored.
      await conversationQueue(conversationId, async () => {
        const result = await store.advanceWatermarks(conversationId, selfId, { deliveredSeq, readSeq });
        if (result.changed) {
          broadcaster.receipt({
            conversationId,
            userId: selfId,
            deliveredSeq: result.deliveredSeq,
            readSeq: result.readSeq,
          });
        }
      });
    },
  };
}

export type Receipts = ReturnType<typeof createReceipts>;
