import type { Message } from "../../../../shared/protocol";
import { localDayKey } from "../../lib/format";
import type { TimelineItem } from "./selectors";

/**
 * What the virtualized list renders, in order: a separator before each local day, then its messages and a
 * group's system notes. `groupStart` marks the first of consecutive messages from one sender, which alone
 * shows the time (and, in a group, the sender's name).
 */
export type ListRow =
  | { kind: "day"; key: string; at: string }
  | { kind: "message"; key: string; item: TimelineItem; groupStart: boolean }
  | { kind: "system"; key: string; message: Message };

/** Messages from one sender closer together than this read as one burst, under one timestamp. */
const GROUP_GAP_MS = 5 * 60_000;

/** Pending rows are keyed by clientId and confirmed ones by id, so a confirmed message never collides with its own echo. */
export function itemKey(item: TimelineItem): string {
  return item.kind === "confirmed" ? messageKey(item.message.id) : `client:${item.message.clientId}`;
}

/** The row key of the stored message with this id. */
export function messageKey(messageId: string): string {
  return `id:${messageId}`;
}

/** Keys stay stable when pages are prepended, so the virtualizer keeps measured sizes and the scroll anchor. */
export function buildListRows(timeline: readonly TimelineItem[]): ListRow[] {
  const rows: ListRow[] = [];
  let day: string | undefined;
  let previous: TimelineItem | undefined;
  for (const item of timeline) {
    const itemDay = localDayKey(item.message.createdAt);
    const newDay = itemDay !== day;
    if (newDay) {
      day = itemDay;
      rows.push({ kind: "day", key: `day:${itemDay}`, at: item.message.createdAt });
    }
    if (item.kind === "confirmed" && item.message.kind === "system") {
      rows.push({ kind: "system", key: itemKey(item), message: item.message });
      // A note between two messages of one sender splits their burst.
      previous = undefined;
      continue;
    }
    const groupStart =
      newDay ||
      previous === undefined ||
      previous.message.senderId !== item.message.senderId ||
      Date.parse(item.message.createdAt) - Date.parse(previous.message.createdAt) > GROUP_GAP_MS;
    rows.push({ kind: "message", key: itemKey(item), item, groupStart });
    previous = item;
  }
  return rows;
}
