import { localDayKey } from "../../lib/format";
import type { TimelineItem } from "./selectors";

/** What the virtualized list renders, in order: a separator before each local day, then its messages. */
export type ListRow = { kind: "day"; key: string; at: string } | { kind: "message"; key: string; item: TimelineItem };

/** Pending rows are keyed by clientId and confirmed ones by id, so a confirmed message never collides with its own echo. */
export function itemKey(item: TimelineItem): string {
  return item.kind === "confirmed" ? `id:${item.message.id}` : `client:${item.message.clientId}`;
}

/** Keys stay stable when pages are prepended, so the virtualizer keeps measured sizes and the scroll anchor. */
export function buildListRows(timeline: readonly TimelineItem[]): ListRow[] {
  const rows: ListRow[] = [];
  let day: string | undefined;
  for (const item of timeline) {
    const itemDay = localDayKey(item.message.createdAt);
    if (itemDay !== day) {
      day = itemDay;
      rows.push({ kind: "day", key: `day:${itemDay}`, at: item.message.createdAt });
    }
    rows.push({ kind: "message", key: itemKey(item), item });
  }
  return rows;
}
