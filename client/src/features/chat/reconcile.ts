import { LIMITS, type Message } from "../../../../shared/protocol";

/**
 * Which copy of a stored message to keep when the same id arrives twice
 * (ack and broadcast, join catch-up, history page, changes list). Every
 * change moves the conversation's rev, so the higher rev is the newer copy;
 * the server gives a delete a higher rev than any edit it raced with. On a
 * tie the copy already held is kept.
 */
export function laterVersion(held: Message | undefined, incoming: Message): Message {
  if (held === undefined) return incoming;
  return incoming.rev > held.rev ? incoming : held;
}

/** A reply's quote of its parent: the body's first code points, cut as the server cuts it (v2 §4). */
export function quoteExcerpt(body: string): string {
  return Array.from(body).slice(0, LIMITS.replyExcerptCodePoints).join("");
}

/**
 * The end of the unbroken run of seqs that starts at the oldest one held.
 * Rejoining after this seq (rather than after the newest held) refetches any
 * hole a dropped connection left, so nothing goes missing silently.
 * `seqs` must be ascending.
 */
export function highestContiguousSeq(seqs: readonly number[]): number | undefined {
  let highest: number | undefined;
  for (const seq of seqs) {
    if (highest !== undefined && seq !== highest + 1) break;
    highest = seq;
  }
  return highest;
}

/**
 * Where a hole in the held seqs starts (a `message:new` arrived more than one
 * past the last one without a gap), so the client fetches after it over HTTP;
 * undefined when the run is unbroken. `seqs` must be ascending.
 */
export function gapStart(seqs: readonly number[]): number | undefined {
  const contiguous = highestContiguousSeq(seqs);
  const newest = seqs.at(-1);
  return contiguous !== undefined && newest !== undefined && newest > contiguous ? contiguous : undefined;
}
