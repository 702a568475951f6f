import { conversationIdFor } from "../../../shared/protocol";
import { receiptSchema } from "../../../shared/schemas";
import type { createKeyedQueue } from "../lib/serial-queue";
import type { Store } from "../store";
import { parseInput } from "../validation";
import type { Broadcaster } from "./broadcaster";
import { peerIdOf } from "./conversation-ref";
import type { UserDirectory } from "./users";

export function createReceipts(deps: {
  store: Store;
  users: UserDirectory;
  broadcaster: Broadcaster;
  conversationQueue: ReturnType<typeof createKeyedQueue>;
}) {
  const { store, users, broadcaster, conversationQueue } = deps;
  return {
    /** conversation:receipt: watermarks move forward only; an event goes out only when one moved. */
    async update(selfId: string, payload: unknown): Promise<void> {
      const { deliveredSeq, readSeq, ...ref } = parseInput(receiptSchema, payload);
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
