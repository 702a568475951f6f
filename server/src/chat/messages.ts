import { conversationIdFor, isGroupConversation } from "../../../shared/protocol";
import type { Message, SendPayload } from "../../../shared/protocol";
import { deleteSchema, editSchema, sendSchema } from "../../../shared/schemas";
import { AppError, notFound } from "../errors";
import { createBatcher, createKeyedBatcher } from "../lib/batcher";
import { newMessageId, nowIso } from "../lib/ids";
import type { createKeyedQueue } from "../lib/serial-queue";
import type { Metrics } from "../metrics";
import { isRowError } from "../store";
import type { Store } from "../store";
import type { NewGroupMessage } from "../store/group-store";
import type { NewMessage } from "../store/types";
import { parseInput, validationError } from "../validation";
import type { Broadcaster } from "./broadcaster";
import { groupConversationOf, peerIdOf } from "./conversation-ref";
import type { SendLimiter } from "./send-limiter";
import type { UserDirectory } from "./users";
import type { Visibility } from "./visibility";

type Deps = {
  store: Store;
  users: UserDirectory;
  broadcaster: Broadcaster;
  metrics: Metrics;
  /** Serializes edits and deletes (and a group's sends) per conversation so their broadcasts leave in order. */
  conversationQueue: ReturnType<typeof createKeyedQueue>;
  sendLimiter: SendLimiter;
  visibility: Visibility;
};

/**
 * Sends written in one transaction at most. Under a backlog a bigger batch rewrites each index page
 * once for more messages (at 1,024, SQLite writes 1.3 WAL frames a message against 3.2 at 256;
 * docs/benchmarks.md); the bound keeps one commit's stall of the event loop near 100 ms and a
 * PostgreSQL statement under its 65,535 parameters (16 a message).
 */
export const SEND_BATCH_MAX = 1024;

export function createMessages(deps: Deps) {
  const { store, users, broadcaster, metrics, conversationQueue, sendLimiter, visibility } = deps;

  /** A message its batch's commit created: counted, and told to its audience (a group's members at the commit). */
  function announce(message: Message, memberIds?: readonly string[]) {
    metrics.messagesSent.inc();
    broadcaster.messageNew(message, memberIds);
  }

  // Persist, then broadcast; the caller acks afterwards. One batch is written at a time and its
  // messages are broadcast right after its commit, in seq order, before the next batch starts. A send
  // the database refuses fails alone (the batcher writes its batch again in halves).
  const appendMessage = createBatcher(
    async (batch: NewMessage[]) => {
      const results = await store.appendMessages(batch);
      for (const { message, created } of results) if (created) announce(message);
      return results;
    },
    SEND_BATCH_MAX,
    isRowError,
  );

  // A group's sends likewise, a batch per group, written and broadcast in its conversation's queue so
  // they stay in order with its edits, deletes and membership changes.
  const appendGroupMessage = createKeyedBatcher(
    (conversationId, batch: NewGroupMessage[]) =>
      conversationQueue(conversationId, async () => {
        const results = await store.appendGroupMessages(batch);
        for (const result of results) if (result?.created) announce(result.message, result.memberIds);
        return results;
      }),
    SEND_BATCH_MAX,
    isRowError,
  );

  const sendingTooFast = (retryAfterMs: number) => new AppError("RATE_LIMITED", "sending too fast", 429, retryAfterMs);

  async function spendSendToken(senderId: string): Promise<void> {
    const token = await sendLimiter.take(senderId);
    if (!token.ok) throw sendingTooFast(token.retryAfterMs);
  }

  /**
   * What a new message names besides its body, checked in this order: attachments listed twice
   * (VALIDATION: the payload alone tells), then by lookup in payload order the conversation (a peer who
   * exists, or a group: its membership is checked in the write's transaction), the replied-to message
   * and the attachments (NOT_FOUND, or VALIDATION for a deleted or system parent). Returns where the
   * message goes. A parent deleted after this check is quoted as deleted, as if deleted right after the reply.
   */
  async function checkNewMessage(
    senderId: string,
    named: Omit<SendPayload, "clientId" | "body">,
  ): Promise<{ conversationId: string; peerId?: string }> {
    const { replyToId, attachmentIds = [], ...ref } = named;
    if (new Set(attachmentIds).size < attachmentIds.length) {
      throw new AppError("VALIDATION", "attachmentIds: an attachment is listed twice");
    }
    const group = groupConversationOf(ref);
    let target: { conversationId: string; peerId?: string };
    if (group) {
      target = { conversationId: group };
    } else {
      const peerId = peerIdOf(senderId, ref);
      if (!(await users.exists(peerId))) throw notFound("user");
      target = { conversationId: conversationIdFor(senderId, peerId), peerId };
    }
    if (replyToId !== undefined) {
      const parent = await visibility.visibleMessage(senderId, replyToId);
      if (parent.conversationId !== target.conversationId) throw notFound("message");
      if (parent.kind === "system") throw new AppError("VALIDATION", "a system message cannot be replied to");
      if (parent.deletedAt) throw new AppError("VALIDATION", "a deleted message cannot be replied to");
    }
    // No upload exists until attachments are (PROTOCOL-v2 §7): every id is unknown.
    if (attachmentIds.length > 0) throw notFound("attachment");
    return target;
  }

  /**
   * Applies an edit or delete to a message the caller may change: NOT_FOUND
   * outside the conversation, FORBIDDEN for the peer (in a group, for anyone
   * but the sender, or for a delete an owner too), VALIDATION for a system
   * message. `change` returns null when there was nothing to change; the
   * stored copy is then returned and nobody is told.
   */
  async function changeMessage(
    selfId: string,
    messageId: string,
    who: "sender" | "sender or owner",
    change: (message: Message) => Promise<Message | null>,
  ) {
    const found = await visibility.visibleMessage(selfId, messageId);
    const group = isGroupConversation(found.conversationId);
    if (found.kind === "system") throw new AppError("VALIDATION", "a system message cannot be changed");
    const allowed =
      found.senderId === selfId ||
      (who === "sender or owner" &&
        group &&
        (await visibility.groupMembership(selfId, found.conversationId)).role === "owner");
    if (!allowed) throw new AppError("FORBIDDEN", "only the sender may change a message");
    await spendSendToken(selfId);
    // The queue keeps this node's broadcasts in rev order; the store's guard keeps them correct.
    return conversationQueue(found.conversationId, async () => {
      const updated = await change(found);
      if (updated) {
        broadcaster.messageUpdated(updated, await visibility.messageAudience(found.conversationId));
        return updated;
      }
      return (await store.findMessageById(messageId)) ?? found;
    });
  }

  /**
   * A send to a group: the store's batch returns a stored clientId first (even to a sender who has left
   * since); else it checks membership inside the batch's transaction, after locking the conversation, so
   * a removal and a send are ordered. Batched per conversation, so this node broadcasts them in seq order.
   */
  async function sendToGroup(
    senderId: string,
    conversationId: string,
    input: { clientId: string; body: string; replyToId: string | undefined },
  ): Promise<Message> {
    const result = await appendGroupMessage(conversationId, {
      id: newMessageId(),
      conversationId,
      senderId,
      clientId: input.clientId,
      body: input.body,
      replyToId: input.replyToId,
      createdAt: nowIso(),
    });
    if (!result) throw notFound("conversation");
    if (!result.created) await sendLimiter.giveBack(senderId);
    return result.message;
  }

  return {
    /**
     * message:send. A retry of a stored clientId returns the original without
     * spending a token and without broadcasting again: the original was
     * broadcast when it was committed, and re-sending an old seq would break
     * the in-order delivery receivers rely on.
     *
     * Every other attempt costs a token, malformed ones too. Retries are rare,
     * so the token is taken first and given back when the send turns out to be
     * one: the write's own clientId lookup tells, and only a send refused by
     * the limit (or by checkNewMessage) looks the clientId up on its own. So a
     * retry is returned as stored, whatever its ref, replyToId and attachmentIds
     * name now (PROTOCOL-v2 §4).
     */
    async send(senderId: string, payload: unknown): Promise<Message> {
      const parsed = sendSchema.safeParse(payload);
      const storedRetry = async () =>
        parsed.success ? store.findMessageByClientId(senderId, parsed.data.clientId) : undefined;
      const token = await sendLimiter.take(senderId);
      if (!token.ok) {
        const stored = await storedRetry();
        if (stored) return stored;
        throw sendingTooFast(token.retryAfterMs);
      }
      if (!parsed.success) throw validationError(parsed.error);

      const { clientId, body, ...named } = parsed.data;
      let target: { conversationId: string; peerId?: string };
      try {
        target = await checkNewMessage(senderId, named);
      } catch (error) {
        const stored = error instanceof AppError ? await storedRetry() : undefined;
        if (!stored) throw error;
        await sendLimiter.giveBack(senderId);
        return stored;
      }
      const { conversationId, peerId } = target;
      if (peerId === undefined)
        return sendToGroup(senderId, conversationId, { clientId, body, replyToId: named.replyToId });
      const [userA, userB] = senderId < peerId ? [senderId, peerId] : [peerId, senderId];
      const { message, created } = await appendMessage({
        id: newMessageId(),
        conversationId,
        userA,
        userB,
        senderId,
        clientId,
        body,
        createdAt: nowIso(),
        replyToId: named.replyToId,
      });
      if (!created) await sendLimiter.giveBack(senderId);
      return message;
    },

    async edit(selfId: string, payload: unknown): Promise<Message> {
      const { messageId, body } = parseInput(editSchema, payload);
      return changeMessage(selfId, messageId, "sender", async (message) => {
        const edited = message.deletedAt ? null : await store.updateMessage(message, { body, editedAt: nowIso() });
        if (!edited) throw new AppError("VALIDATION", "a deleted message cannot be edited");
        return edited;
      });
    },

    /** Deleting leaves a tombstone (body "", deletedAt set); deleting it again returns the same tombstone. */
    async delete(selfId: string, payload: unknown): Promise<Message> {
      const { messageId } = parseInput(deleteSchema, payload);
      return changeMessage(selfId, messageId, "sender or owner", async (message) =>
        message.deletedAt ? null : store.updateMessage(message, { body: "", deletedAt: nowIso() }),
      );
    },
  };
}

export type Messages = ReturnType<typeof createMessages>;
