import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIMITS } from "../../shared/protocol";
import type { ConversationListResponse, ConversationPageResponse, User } from "../../shared/protocol";
import { connectClient, http, registerUser, seedMessages, sendMessage, startServer } from "./helpers";
import type { TestServer, TestUser } from "./helpers";

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000" });
});
afterAll(() => server.close());

/** `count` people, straight through the store (no scrypt), each with one message to `me`. */
async function peopleWritingTo(me: User, count: number): Promise<User[]> {
  const people: User[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID().replaceAll("-", "");
    const now = new Date().toISOString();
    await server.store.createUser({
      id,
      username: `p${id.slice(0, 20)}`,
      displayName: `Person ${i}`,
      passwordHash: "none",
      createdAt: now,
      lastSeenAt: null,
    });
    const person: User = {
      id,
      username: `p${id.slice(0, 20)}`,
      displayName: `Person ${i}`,
      online: false,
      lastSeenAt: null,
    };
    await seedMessages(server, person, me, 1);
    people.push(person);
  }
  return people;
}

function list(token: string, query = "") {
  return http<ConversationPageResponse & { error: { code: string } }>(server, "GET", `/api/conversations${query}`, {
    token,
  });
}

const idsOf = (res: { body: ConversationListResponse }) => res.body.conversations.map((c) => c.conversationId);

/** Every page of `limit` from the top: the ids of each page, and whether the last one said it was the last. */
async function walk(token: string, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let query = `?limit=${limit}`;
  for (;;) {
    const res = await list(token, query);
    expect(res.status).toBe(200);
    expect(res.body.conversations.length).toBeLessThanOrEqual(limit);
    pages.push(idsOf(res));
    expect(res.body.hasMore).toBe(res.body.nextBefore !== null);
    if (!res.body.hasMore) return pages;
    query = `?limit=${limit}&before=${res.body.nextBefore}`;
    // A cursor that does not advance would walk forever.
    expect(pages.length).toBeLessThan(100);
  }
}

describe("GET /api/conversations, paged (an addition)", () => {
  let me: TestUser;

  beforeAll(async () => {
    me = await registerUser(server, "Me");
    await peopleWritingTo(me.user, 8);
  });

  it("answers as before without limit and before: every conversation, and their totals (v2 §9)", async () => {
    const res = await list(me.token);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(["conversations", "totals"]);
    expect(res.body.totals).toEqual({ unread: 8, badge: 8 });
    expect(res.body.conversations).toHaveLength(8);
  });

  it("walks the same order as the whole list, page by page, with no gap and no repeat", async () => {
    const whole = idsOf(await list(me.token));
    for (const limit of [1, 3, 8, 50]) {
      const pages = await walk(me.token, limit);
      expect(pages.flat()).toEqual(whole);
      // The last page is full only when the count divides evenly, and then it still says so.
      expect(pages).toHaveLength(Math.ceil(whole.length / limit));
    }
  });

  it("gives each line of a page the same summary as the whole list", async () => {
    const whole = (await list(me.token)).body.conversations;
    const first = await list(me.token, "?limit=3");
    expect(first.body).toEqual({
      conversations: whole.slice(0, 3),
      totals: { unread: 8, badge: 8 },
      hasMore: true,
      nextBefore: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
    });
    expect(first.body.conversations[0]).toMatchObject({ unreadCount: 1, readSeq: 0, lastMessage: { seq: 1 } });
  });

  it("skips or repeats nothing when messages move conversations to the top between pages", async () => {
    const them = await registerUser(server, "Them");
    const [mine, theirs] = await Promise.all([connectClient(server, me.token), connectClient(server, them.token)]);
    await sendMessage(theirs, me.user.id, "a new conversation, on top");
    const before = idsOf(await list(me.token));

    const first = await list(me.token, "?limit=3");
    expect(idsOf(first)).toEqual(before.slice(0, 3));
    // A conversation already seen moves up, and one not yet paged to jumps to the top, above the walk.
    const notYetPaged = before[6]!;
    const peerOf = (conversationId: string) =>
      conversationId.split(":").find((id) => id !== "dm" && id !== me.user.id)!;
    await sendMessage(mine, peerOf(before[1]!), "seen, moves up");
    await sendMessage(mine, peerOf(notYetPaged), "not yet paged, moves up");

    const rest: string[] = [];
    let cursor = first.body.nextBefore;
    while (cursor !== null) {
      const res = await list(me.token, `?limit=3&before=${cursor}`);
      rest.push(...idsOf(res));
      cursor = res.body.nextBefore;
    }
    // Every conversation that kept its place comes once, in order; the moved one reached the socket live.
    expect(rest).toEqual(before.slice(3).filter((id) => id !== notYetPaged));
    // Both moved to the top; the two sends may share a millisecond, and the list orders a tie by id.
    expect(
      idsOf(await list(me.token))
        .slice(0, 2)
        .sort(),
    ).toEqual([notYetPaged, before[1]].sort());
  });

  it("starts after any well-formed place, and defaults the limit when only before is given", async () => {
    const whole = idsOf(await list(me.token));
    const last = await list(me.token, `?limit=${whole.length - 1}`);
    const tail = await list(me.token, `?before=${last.body.nextBefore}`);
    expect(idsOf(tail)).toEqual(whole.slice(-1));
    expect(tail.body).toMatchObject({ hasMore: false, nextBefore: null });

    // Older than every conversation: an empty last page.
    const past = Buffer.from(JSON.stringify(["2000-01-01T00:00:00.000Z", "dm:a:b"])).toString("base64url");
    expect((await list(me.token, `?before=${past}`)).body).toEqual({
      conversations: [],
      totals: (await list(me.token)).body.totals,
      hasMore: false,
      nextBefore: null,
    });
  });

  it("refuses a malformed limit or cursor with VALIDATION", async () => {
    const bad = [
      "?limit=0",
      "?limit=-1",
      "?limit=1.5",
      "?limit=ten",
      "?limit=",
      "?limit=1&limit=2",
      "?before=",
      "?before=not*base64",
      "?before=bm90IGpzb24", // "not json"
      `?before=${Buffer.from(JSON.stringify({ at: "2026-01-01T00:00:00.000Z" })).toString("base64url")}`,
      `?before=${Buffer.from(JSON.stringify(["yesterday", "dm:a:b"])).toString("base64url")}`,
      `?before=${Buffer.from(JSON.stringify(["2026-01-01T00:00:00.000Z", "dm:a\u0000:b"])).toString("base64url")}`,
      `?before=${"A".repeat(401)}`,
    ];
    for (const query of bad) {
      const res = await list(me.token, query);
      expect({ query, status: res.status, code: res.body.error?.code }).toEqual({
        query,
        status: 400,
        code: "VALIDATION",
      });
    }
  });
});

describe("GET /api/conversations, a page's size", () => {
  it(`clamps the limit to ${LIMITS.conversationPageMax} and defaults it to ${LIMITS.conversationPageDefault}`, async () => {
    const me = await registerUser(server, "Popular");
    await peopleWritingTo(me.user, LIMITS.conversationPageMax + 1);

    const clamped = await list(me.token, "?limit=100000");
    expect(clamped.body.conversations).toHaveLength(LIMITS.conversationPageMax);
    expect(clamped.body.hasMore).toBe(true);
    const rest = await list(me.token, `?limit=100000&before=${clamped.body.nextBefore}`);
    expect(rest.body).toMatchObject({ hasMore: false, nextBefore: null });
    expect([...idsOf(clamped), ...idsOf(rest)]).toEqual(idsOf(await list(me.token)));

    const byDefault = await list(me.token, `?before=${(await list(me.token, "?limit=1")).body.nextBefore}`);
    expect(byDefault.body.conversations).toHaveLength(LIMITS.conversationPageDefault);
  });
});
