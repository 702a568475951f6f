import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { Database } from "./schema";
import type { AdvancedWatermarks, Watermarks } from "./types";

export const NO_WATERMARKS: Watermarks = { deliveredSeq: 0, readSeq: 0 };

export function toWatermarks(row: { delivered_seq: number; read_seq: number } | undefined): Watermarks {
  return row ? { deliveredSeq: Number(row.delivered_seq), readSeq: Number(row.read_seq) } : NO_WATERMARKS;
}

/**
 * Raises a current member's watermarks toward `requested`, clamped to the conversation's last seq; null when
 * the conversation or that member is missing. A membership starts at joined_seq (a DM's at 0), so raising
 * never puts one below it. `countsPeerReads` keeps the member's read_peer_count (unread counts of one-to-one
 * conversations, whose only other sender is the peer).
 */
export async function advanceMemberWatermarks(
  db: Kysely<Database>,
  conversationId: string,
  userId: string,
  requested: Partial<Watermarks>,
  { countsPeerReads }: { countsPeerReads: boolean },
): Promise<AdvancedWatermarks | null> {
  const conversation = await db
    .selectFrom("conversations")
    .select("last_seq")
    .where("id", "=", conversationId)
    .executeTakeFirst();
  if (!conversation) return null;
  // last_seq only grows, so clamping to a value read a moment ago can only clamp lower: still safe.
  const lastSeq = Number(conversation.last_seq);
  const readSeq = Math.min(requested.readSeq ?? 0, lastSeq);
  const deliveredSeq = Math.max(Math.min(requested.deliveredSeq ?? 0, lastSeq), readSeq);
  // One statement that only raises: concurrent receipts (other tabs, other nodes) can never move a
  // watermark back, at any isolation level.
  const raised = await db
    .updateTable("conversation_members")
    .set((eb) => ({
      read_seq: eb.case().when("read_seq", "<", readSeq).then(readSeq).else(eb.ref("read_seq")).end(),
      ...(countsPeerReads && {
        // The message at the new watermark tells how many of the peer's messages lie at or below
        // it: its ordinal if the peer sent it, else the rest of the seqs up to it.
        read_peer_count: eb
          .case()
          .when("read_seq", "<", readSeq)
          .then(
            eb
              .selectFrom("messages")
              .select((m) =>
                m
                  .case()
                  .when("sender_id", "=", userId)
                  .then(sql<number>`${readSeq} - sender_ordinal`)
                  .else(m.ref("sender_ordinal"))
                  .end()
                  .as("peer_count"),
              )
              .where("messages.conversation_id", "=", conversationId)
              .where("messages.seq", "=", readSeq),
          )
          .else(eb.ref("read_peer_count"))
          .end(),
      }),
      delivered_seq: eb
        .case()
        .when("delivered_seq", "<", deliveredSeq)
        .then(deliveredSeq)
        .else(eb.ref("delivered_seq"))
        .end(),
    }))
    .where("conversation_id", "=", conversationId)
    .where("user_id", "=", userId)
    .where("left_seq", "is", null)
    .where((eb) => eb.or([eb("read_seq", "<", readSeq), eb("delivered_seq", "<", deliveredSeq)]))
    .returning(["delivered_seq", "read_seq"])
    .executeTakeFirst();
  if (raised) return { ...toWatermarks(raised), changed: true };
  const current = await db
    .selectFrom("conversation_members")
    .select(["delivered_seq", "read_seq"])
    .where("conversation_id", "=", conversationId)
    .where("user_id", "=", userId)
    .where("left_seq", "is", null)
    .executeTakeFirst();
  return current ? { ...toWatermarks(current), changed: false } : null;
}
