import { describe, expect, it } from "vitest";
import { makeMessage } from "../../test/factories";
import { buildListRows, type ListRow } from "./listRows";
import type { TimelineItem } from "./selectors";

const at = (day: number, hour: number) => new Date(2025, 0, day, hour).toISOString();
const confirmed = (seq: number, createdAt: string): TimelineItem => ({
  kind: "confirmed",
  message: makeMessage({ seq, createdAt }),
});
const pending = (clientId: string, createdAt: string): TimelineItem => ({
  kind: "pending",
  message: { ...makeMessage({ seq: 0, clientId, createdAt }), recipientId: "bob", status: "pending", failure: null },
});
const keys = (rows: ListRow[]) => rows.map((row) => row.key);

describe("buildListRows", () => {
  it.each<[string, TimelineItem[], string[]]>([
    ["nothing", [], []],
    ["one day", [confirmed(1, at(6, 9)), confirmed(2, at(6, 23))], ["day:2025-1-6", "id:m1", "id:m2"]],
    [
      "a separator at each new day, none for a day already open",
      [confirmed(1, at(5, 22)), confirmed(2, at(6, 1)), confirmed(3, at(6, 2)), confirmed(4, at(9, 8))],
      ["day:2025-1-5", "id:m1", "day:2025-1-6", "id:m2", "id:m3", "day:2025-1-9", "id:m4"],
    ],
    [
      "pending sends keyed by clientId, after the confirmed ones",
      [confirmed(1, at(6, 9)), pending("c-1", at(7, 9))],
      ["day:2025-1-6", "id:m1", "day:2025-1-7", "client:c-1"],
    ],
  ])("%s", (_, timeline, expected) => {
    expect(keys(buildListRows(timeline))).toEqual(expected);
  });

  it("keeps every key when an older page is prepended, so measured sizes and the scroll anchor survive", () => {
    const newer = [confirmed(3, at(6, 9)), confirmed(4, at(6, 10))];
    const before = keys(buildListRows(newer));
    const after = keys(buildListRows([confirmed(1, at(5, 9)), confirmed(2, at(6, 8)), ...newer]));
    expect(before).toEqual(["day:2025-1-6", "id:m3", "id:m4"]);
    expect(after).toEqual(["day:2025-1-5", "id:m1", "day:2025-1-6", "id:m2", "id:m3", "id:m4"]);
  });

  it("starts a group at each new sender, day, or a pause longer than five minutes", () => {
    const from = (seq: number, senderId: string, minute: number): TimelineItem => ({
      kind: "confirmed",
      message: makeMessage({ seq, senderId, createdAt: new Date(2025, 0, 6, 9, minute).toISOString() }),
    });
    const timeline = [from(1, "a", 0), from(2, "a", 1), from(3, "b", 2), from(4, "b", 20), from(5, "b", 21)];
    const starts = buildListRows(timeline).flatMap((row) => (row.kind === "message" ? [row.groupStart] : []));
    expect(starts).toEqual([true, false, true, true, false]);
  });
});
