import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIMITS, conversationIdFor, groupConversationId } from "../../shared/protocol";
import type {
  ConversationListResponse,
  ConversationPageResponse,
  ConversationSettings,
  ConversationTotals,
  DmSummary,
  SettingsResponse,
} from "../../shared/protocol";
import {
  collect,
  connectClient,
  emitAck,
  http,
  messageBarrier,
  registerUser,
  seedMessages,
  sendMessage,
  startServer,
  waitFor,
} from "./helpers";
import type { ClientSocket, TestServer, TestUser } from "./helpers";
import { createGroup, groupPath } from "./group-helpers";

// Protocol v2 §9: per-conversation notification settings, and the list's totals.

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000" });
});
afterAll(() => server.close());

type Failure = { error: { code: string; message: string } };

function putSettings(user: TestUser, ref: string, body: unknown, rawBody?: string) {
  return http<SettingsResponse & Failure>(server, "PUT", `/api/conversations/${encodeURIComponent(ref)}/settings`, {
    token: user.token,
    ...(rawBody === undefined ? { body } : { rawBody }),
  });
}

async function list(user: TestUser, query = "") {
  const res = await http<ConversationPageResponse>(server, "GET", `/api/conversations${query}`, { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
}

async function summaryOf(user: TestUser, conversationId: string): Promise<DmSummary | undefined> {
  const { conversations } = await list(user);
  return conversations.find((c): c is DmSummary => c.conversationId === conversationId);
}

const settingsOf = (summary: Pick<DmSummary, "notify" | "mutedUntil"> | undefined) =>
  summary && { notify: summary.notify, mutedUntil: summary.mutedUntil };

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

/** Every page of `limit` from the top, as the client walks them. */
async function walk(user: TestUser, limit: number): Promise<ConversationPageResponse[]> {
  const pages = [await list(user, `?limit=${limit}`)];
  while (pages.at(-1)!.hasMore) pages.push(await list(user, `?limit=${limit}&before=${pages.at(-1)!.nextBefore}`));
  return pages;
}

describe("PUT /api/conversations/:ref/settings", () => {
  let alice: TestUser;
  let bob: TestUser;
  let dm: string;

  beforeAll(async () => {
    [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    dm = conversationIdFor(alice.user.id, bob.user.id);
  });

  it("answers the settings after the change; fields not given keep their value", async () => {
    const until = inMinutes(60);
    expect(await putSettings(alice, bob.user.id, { notify: "mentions" })).toMatchObject({
      status: 200,
      body: { settings: { conversationId: dm, notify: "mentions", mutedUntil: null } },
    });
    expect((await putSettings(alice, dm, { mutedUntil: until })).body).toEqual({
      settings: { conversationId: dm, notify: "mentions", mutedUntil: until },
    });
    expect((await putSettings(alice, bob.user.id, { notify: "none" })).body.settings).toEqual({
      conversationId: dm,
      notify: "none",
      mutedUntil: until,
    });
    expect((await putSettings(alice, dm, { notify: "all", mutedUntil: null })).body.settings).toEqual({
      conversationId: dm,
      notify: "all",
      mutedUntil: null,
    });
  });

  it("stores a mute's end in UTC, whatever offset named it, up to a year ahead", async () => {
    const at = new Date(Date.now() + 3_600_000);
    at.setUTCMilliseconds(0);
    const withOffset = `${new Date(at.getTime() + 2 * 3_600_000).toISOString().slice(0, 19)}+02:00`;
    expect((await putSettings(alice, dm, { mutedUntil: withOffset })).body.settings.mutedUntil).toBe(at.toISOString());

    const almostAYear = new Date(Date.now() + LIMITS.muteMaxMs - 60_000).toISOString();
    expect((await putSettings(alice, dm, { mutedUntil: almostAYear })).body.settings.mutedUntil).toBe(almostAYear);
  });

  it("refuses anything else with 400 VALIDATION, and changes nothing", async () => {
    const until = inMinutes(30);
    await putSettings(alice, dm, { notify: "mentions", mutedUntil: until });
    const tab = await connectClient(server, alice.token);
    const events = collect(tab, "conversation:settings");

    const refused: Array<[string, unknown] | [string, undefined, string]> = [
      ["empty body", {}],
      ["only unknown fields", { muted: true, level: "none" }],
      ["unknown notify level", { notify: "loud" }],
      ["notify null", { notify: null }],
      ["mute in the past", { mutedUntil: new Date(Date.now() - 60_000).toISOString() }],
      ["mute now or earlier", { mutedUntil: new Date(0).toISOString() }],
      ["mute beyond a year", { mutedUntil: new Date(Date.now() + LIMITS.muteMaxMs + 60_000).toISOString() }],
      ["mute without an offset", { mutedUntil: inMinutes(10).slice(0, 19) }],
      ["mute as a date only", { mutedUntil: inMinutes(60 * 24 * 2).slice(0, 10) }],
      ["mute as milliseconds", { mutedUntil: Date.now() + 60_000 }],
      ["mute as text", { mutedUntil: "tomorrow" }],
      ["a valid field beside an invalid one", { notify: "none", mutedUntil: "never" }],
      ["an array", ["none"]],
      ["no body", undefined, ""],
      ["JSON null", undefined, "null"],
    ];
    for (const [name, body, raw] of refused) {
      const res = await putSettings(alice, dm, body, raw);
      expect({ name, status: res.status, code: res.body.error?.code }).toEqual({
        name,
        status: 400,
        code: "VALIDATION",
      });
    }

    // The refusals told no socket: the first event is this change's.
    const changed = waitFor(tab, "conversation:settings");
    expect((await putSettings(alice, dm, { notify: "all" })).status).toBe(200);
    expect(await changed).toEqual({ conversationId: dm, notify: "all", mutedUntil: until });
    expect(events).toHaveLength(1);
  });

  it("ignores unknown fields beside a valid one, as every payload does", async () => {
    const res = await putSettings(alice, dm, { notify: "none", mutedUntil: null, userId: bob.user.id, extra: 1 });
    expect(res.body).toEqual({ settings: { conversationId: dm, notify: "none", mutedUntil: null } });
    // Bob's settings of the same conversation are his own.
    await putSettings(bob, dm, { notify: "mentions" });
    expect((await putSettings(bob, dm, { mutedUntil: null })).body.settings.notify).toBe("mentions");
    expect((await putSettings(alice, dm, { mutedUntil: null })).body.settings.notify).toBe("none");
  });

  it("is NOT_FOUND for an unknown user, another pair's conversation or a group; 400 for a malformed id", async () => {
    const carol = await registerUser(server);
    const others = conversationIdFor(bob.user.id, carol.user.id);
    for (const ref of ["nobody-here", others, "grp:some-group", `dm:${alice.user.id}:nobody-here`]) {
      const res = await putSettings(alice, ref, { notify: "none" });
      expect({ ref, status: res.status, code: res.body.error?.code }).toEqual({
        ref,
        status: 404,
        code: "NOT_FOUND",
      });
    }
    expect((await putSettings(alice, "dm:x", { notify: "none" })).status).toBe(400);
    // Bob's and Carol's conversation kept Bob's defaults.
    await seedMessages(server, bob.user, carol.user, 1);
    expect(settingsOf(await summaryOf(bob, others))).toEqual({ notify: "all", mutedUntil: null });
  });

  it("is 401 without a session", async () => {
    const res = await http<Failure>(server, "PUT", `/api/conversations/${bob.user.id}/settings`, {
      body: { notify: "none" },
    });
    expect(res).toMatchObject({ status: 401, body: { error: { code: "UNAUTHORIZED" } } });
  });

  it("applies to a conversation before its first message", async () => {
    const [dave, erin] = await Promise.all([registerUser(server), registerUser(server)]);
    const theirs = conversationIdFor(dave.user.id, erin.user.id);
    const until = inMinutes(90);
    expect((await putSettings(dave, erin.user.id, { notify: "mentions", mutedUntil: until })).status).toBe(200);
    expect((await list(dave)).conversations).toEqual([]);

    await seedMessages(server, erin.user, dave.user, 3);
    expect(settingsOf(await summaryOf(dave, theirs))).toEqual({ notify: "mentions", mutedUntil: until });
    expect(settingsOf(await summaryOf(erin, theirs))).toEqual({ notify: "all", mutedUntil: null });
    // Muted: nothing in the badge, the unread still counted.
    expect((await list(dave)).totals).toEqual({ unread: 3, badge: 0 });
  });
});

describe("conversation:settings", () => {
  it("reaches every socket of the user, and nobody else's", async () => {
    const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    const dm = conversationIdFor(alice.user.id, bob.user.id);
    const tabs = await Promise.all([1, 2, 3].map(() => connectClient(server, alice.token)));
    const bobTab = await connectClient(server, bob.token);
    // Bob's socket watches the conversation too: the event is not the conversation's.
    expect(await emitAck(bobTab, "conversation:join", { conversationId: dm })).toMatchObject({ ok: true });
    const bobSaw = collect(bobTab, "conversation:settings");

    const until = inMinutes(15);
    const arrivals = tabs.map((tab) => waitFor(tab, "conversation:settings"));
    const res = await putSettings(alice, bob.user.id, { notify: "mentions", mutedUntil: until });
    const expected: ConversationSettings = { conversationId: dm, notify: "mentions", mutedUntil: until };
    expect(res.body.settings).toEqual(expected);
    expect(await Promise.all(arrivals)).toEqual([expected, expected, expected]);

    // Bob's socket gets everything in order: what was sent to it before the barrier has arrived.
    await messageBarrier(tabs[0]!, bob.user.id, [bobTab]);
    expect(bobSaw).toEqual([]);
  });
});

describe("muting changes no delivery", () => {
  it("every tab of the muted side still gets message:new, and the unread count grows", async () => {
    const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    const dm = conversationIdFor(alice.user.id, bob.user.id);
    const tabs: ClientSocket[] = await Promise.all([1, 2, 3].map(() => connectClient(server, alice.token)));
    // One tab has the conversation open, the others do not.
    await emitAck(tabs[0]!, "conversation:join", { peerId: bob.user.id });
    const b = await connectClient(server, bob.token);
    await putSettings(alice, dm, { notify: "none", mutedUntil: inMinutes(60) });

    for (let i = 1; i <= 3; i++) {
      const arrivals = tabs.map((tab) => waitFor(tab, "message:new", (m) => m.body === `while muted ${i}`));
      const sent = await sendMessage(b, alice.user.id, `while muted ${i}`);
      expect(await Promise.all(arrivals)).toEqual([sent, sent, sent]);
    }
    const summary = await summaryOf(alice, dm);
    expect(summary).toMatchObject({ unreadCount: 3, notify: "none" });
    expect((await list(alice)).totals).toEqual({ unread: 3, badge: 0 });
  });
});

describe("the list's settings and totals", () => {
  let me: TestUser;
  // Unread messages from each peer, and my settings of our conversation.
  const plan = [
    { unread: 3, read: 1, settings: { notify: "all" } },
    { unread: 2, read: 0, settings: { notify: "mentions" } },
    { unread: 4, read: 2, settings: { notify: "none" } },
    { unread: 5, read: 0, settings: { mutedUntil: inMinutes(120) } },
    { unread: 1, read: 0, settings: { notify: "mentions", mutedUntil: inMinutes(120) } },
    { unread: 6, read: 0, settings: null },
    { unread: 7, read: 0, settings: { notify: "all" }, endedMute: true },
  ] as const;
  let peers: TestUser[];
  const dmWith = (peer: TestUser) => conversationIdFor(me.user.id, peer.user.id);
  // Σ unread; badge: all → its unread, mentions → its mentions (none counted yet: 0), none or muted → 0.
  const expectedTotals: ConversationTotals = { unread: 2 + 2 + 2 + 5 + 1 + 6 + 7, badge: 2 + 6 + 7 };

  beforeAll(async () => {
    me = await registerUser(server);
    peers = await Promise.all(plan.map(() => registerUser(server)));
    const mine = await connectClient(server, me.token);
    for (const [i, step] of plan.entries()) {
      const peer = peers[i]!;
      // My own message first: it never counts as unread.
      await seedMessages(server, me.user, peer.user, 1);
      await seedMessages(server, peer.user, me.user, step.unread);
      if (step.read > 0) {
        expect(
          await emitAck(mine, "conversation:receipt", { peerId: peer.user.id, readSeq: 1 + step.read }),
        ).toMatchObject({ ok: true });
      }
      if (step.settings) expect((await putSettings(me, peer.user.id, step.settings)).status).toBe(200);
      // An ended mute can only be written past validation, as time would leave it.
      if ("endedMute" in step) {
        await server.store.updateConversationSettings(me.user.id, dmWith(peer), {
          mutedUntil: new Date(Date.now() - 1000).toISOString(),
        });
      }
    }
    // A conversation with myself adds nothing.
    await sendMessage(mine, me.user.id, "note to self");
  });

  it("carry each conversation's settings, an ended mute as none", async () => {
    const { conversations, totals } = (await list(me)) as ConversationListResponse;
    expect(conversations).toHaveLength(plan.length + 1);
    const byPeer = peers.map((peer) =>
      settingsOf(conversations.find((c) => c.conversationId === dmWith(peer)) as DmSummary),
    );
    expect(byPeer).toEqual(
      plan.map((step) => ({
        notify: step.settings && "notify" in step.settings ? step.settings.notify : "all",
        mutedUntil: step.settings && "mutedUntil" in step.settings ? step.settings.mutedUntil : null,
      })),
    );
    expect(totals).toEqual(expectedTotals);
  });

  it("give the same totals over all conversations on every page", async () => {
    for (const limit of [1, 3, 50]) {
      const pages = await walk(me, limit);
      expect(pages.length).toBe(Math.ceil((plan.length + 1) / limit));
      for (const page of pages) expect(page.totals).toEqual(expectedTotals);
      // The pages carry the same summaries as the whole list.
      expect(pages.flatMap((page) => page.conversations)).toEqual((await list(me)).conversations);
    }
  });

  it("report an ended mute as none after any change, and no other mute counts as ended", async () => {
    const ended = peers[6]!;
    const res = await putSettings(me, ended.user.id, { notify: "none" });
    expect(res.body.settings).toEqual({ conversationId: dmWith(ended), notify: "none", mutedUntil: null });
    expect((await list(me)).totals).toEqual({ ...expectedTotals, badge: expectedTotals.badge - 7 });
    await putSettings(me, ended.user.id, { notify: "all" });
    expect((await list(me)).totals).toEqual(expectedTotals);
  });

  it("follow reads and new messages", async () => {
    const [first] = peers;
    const mine = await connectClient(server, me.token);
    const peerSocket = await connectClient(server, first!.token);
    await sendMessage(peerSocket, me.user.id, "one more");
    expect((await list(me, "?limit=1")).totals).toEqual({
      unread: expectedTotals.unread + 1,
      badge: expectedTotals.badge + 1,
    });
    const summary = (await summaryOf(me, dmWith(first!)))!;
    await emitAck(mine, "conversation:receipt", { peerId: first!.user.id, readSeq: summary.lastMessage!.seq });
    expect((await list(me, "?limit=1")).totals).toEqual({
      unread: expectedTotals.unread - 2,
      badge: expectedTotals.badge - 2,
    });
  });

  it("are zero for a user without conversations", async () => {
    const newcomer = await registerUser(server);
    expect((await list(newcomer)).totals).toEqual({ unread: 0, badge: 0 });
    expect((await list(newcomer, "?limit=5")).totals).toEqual({ unread: 0, badge: 0 });
  });
});

describe("leaving a group", () => {
  it("resets the leaver's settings of it, and only theirs: re-added, they start from the defaults", async () => {
    const [owner, alice, bob] = await Promise.all([registerUser(server), registerUser(server), registerUser(server)]);
    const group = await createGroup(server, owner, [alice, bob]);
    const conversationId = groupConversationId(group.id);
    const until = inMinutes(45);
    expect((await putSettings(alice, conversationId, { notify: "none", mutedUntil: until })).status).toBe(200);
    expect((await putSettings(bob, conversationId, { notify: "mentions" })).status).toBe(200);
    const settingsIn = async (user: TestUser) =>
      settingsOf((await list(user)).conversations.find((c) => c.conversationId === conversationId));
    expect(await settingsIn(alice)).toEqual({ notify: "none", mutedUntil: until });

    expect(
      (await http(server, "DELETE", `${groupPath(group)}/members/${alice.user.id}`, { token: owner.token })).status,
    ).toBe(204);
    // A former member's settings of the group are NOT_FOUND like everything else of it.
    expect((await putSettings(alice, conversationId, { notify: "all" })).status).toBe(404);
    const readded = await http(server, "POST", `${groupPath(group)}/members`, {
      token: owner.token,
      body: { userIds: [alice.user.id] },
    });
    expect(readded.status).toBe(200);
    expect(await settingsIn(alice)).toEqual({ notify: "all", mutedUntil: null });
    expect(await settingsIn(bob)).toEqual({ notify: "mentions", mutedUntil: null });
  });
});
