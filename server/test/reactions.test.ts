import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangesResponse, Message, ReactionPayload } from "../../shared/protocol";
import {
  collect,
  connectClient,
  emitAck,
  executeSql,
  http,
  messageBarrier,
  rawEmitAck,
  readTable,
  registerUser,
  sendMessage,
  startServer,
  waitFor,
} from "./helpers";
import type { ClientSocket, TestServer, TestUser } from "./helpers";

const VS16 = "\uFE0F";

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000" });
});
afterAll(() => server.close());

type Pair = { alice: TestUser; bob: TestUser; a: ClientSocket; b: ClientSocket };

/** Two fresh users, each with a connected socket; alice's id sorts first (ties in reaction order go by user id). */
async function pair(on: TestServer = server): Promise<Pair> {
  const users = await Promise.all([registerUser(on), registerUser(on)]);
  const [alice, bob] = users.sort((x, y) => (x.user.id < y.user.id ? -1 : 1)) as [TestUser, TestUser];
  const [a, b] = await Promise.all([connectClient(on, alice.token), connectClient(on, bob.token)]);
  return { alice, bob, a, b };
}

function add(socket: ClientSocket, payload: ReactionPayload) {
  return emitAck(socket, "reaction:add", payload);
}

function remove(socket: ClientSocket, payload: ReactionPayload) {
  return emitAck(socket, "reaction:remove", payload);
}

/**
 * Reactions are ordered by the millisecond they were stored in (ties by user, then emoji): waiting for
 * the clock to move on makes the next one later than the last, so time alone orders them.
 */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() === start) await new Promise((resolve) => setImmediate(resolve));
}

/** Adds or removes and returns the message of the ack, failing on a refusal. */
async function react(socket: ClientSocket, op: "add" | "remove", payload: ReactionPayload): Promise<Message> {
  const res = await (op === "add" ? add : remove)(socket, payload);
  if (!res.ok) throw new Error(`${op} failed: ${res.error.code} ${res.error.message}`);
  if (!res.message) throw new Error(`${op} answered without a message`);
  return res.message;
}

/** What a reaction change could touch: the conversation's rev, the message as stored, its reaction rows. */
async function stateOf(on: TestServer, message: Message) {
  const [userA, userB] = message.conversationId.split(":").slice(1) as [string, string];
  const { rev } = await on.store.getConversationState(message.conversationId, userA, userB);
  const rows = (await readTable(on, "message_reactions")).filter((row) => row.message_id === message.id);
  return { rev, message: await on.store.findMessageById(message.id), rows: rows.map((r) => [r.user_id, r.emoji]) };
}

describe("reaction:add and reaction:remove", () => {
  it("add and remove a reaction, bump the rev and tell both participants once each", async () => {
    const { alice, bob, a, b } = await pair();
    const message = await sendMessage(a, bob.user.id, "react to me");

    const toA = waitFor(a, "message:updated");
    const toB = waitFor(b, "message:updated");
    const added = await react(b, "add", { messageId: message.id, emoji: "👍" });
    expect(added).toMatchObject({
      id: message.id,
      seq: message.seq,
      body: "react to me",
      reactions: [{ emoji: "👍", userIds: [bob.user.id] }],
    });
    expect(added.rev).toBe(message.rev + 1);
    expect(await toA).toEqual(added);
    expect(await toB).toEqual(added);

    const joined = await react(a, "add", { messageId: message.id, emoji: "👍" });
    expect(joined.reactions).toEqual([{ emoji: "👍", userIds: [bob.user.id, alice.user.id] }]);
    expect(joined.rev).toBe(added.rev + 1);

    const removed = await react(b, "remove", { messageId: message.id, emoji: "👍" });
    expect(removed.reactions).toEqual([{ emoji: "👍", userIds: [alice.user.id] }]);
    const gone = await react(a, "remove", { messageId: message.id, emoji: "👍" });
    expect(gone.reactions).toEqual([]);
    expect(gone.rev).toBe(added.rev + 3);

    const stored = await stateOf(server, message);
    expect(stored).toMatchObject({ rev: gone.rev, message: gone, rows: [] });
  });

  it("keep each emoji where it was first added and its users in the order they reacted", async () => {
    const { alice, bob, a, b } = await pair();
    const message = await sendMessage(b, alice.user.id, "order");
    let last = message;
    for (const [socket, emoji] of [
      [b, "🎉"],
      [a, "👍"],
      [b, "👍"],
      [a, "🎉"],
    ] as const) {
      await nextMillisecond();
      last = await react(socket, "add", { messageId: message.id, emoji });
    }
    expect(last.reactions).toEqual([
      { emoji: "🎉", userIds: [bob.user.id, alice.user.id] },
      { emoji: "👍", userIds: [alice.user.id, bob.user.id] },
    ]);
    // Removing and adding again moves a user to the end, and an emoji to where its first reaction now is.
    await react(b, "remove", { messageId: message.id, emoji: "🎉" });
    await nextMillisecond();
    last = await react(b, "add", { messageId: message.id, emoji: "🎉" });
    expect(last.reactions).toEqual([
      { emoji: "👍", userIds: [alice.user.id, bob.user.id] },
      { emoji: "🎉", userIds: [alice.user.id, bob.user.id] },
    ]);
    // Read back from the row as every page and catch-up sends it.
    expect((await server.store.findMessageById(message.id))?.reactions).toEqual(last.reactions);
  });

  it("do nothing, and tell nobody, for a reaction already there or not there", async () => {
    const { bob, a, b } = await pair();
    const message = await sendMessage(a, bob.user.id, "once");
    const added = await react(b, "add", { messageId: message.id, emoji: "🎉" });
    // Counted from here: the add's own events have arrived.
    await messageBarrier(a, bob.user.id, [a, b]);
    const before = await stateOf(server, message);
    const updatesA = collect(a, "message:updated");
    const updatesB = collect(b, "message:updated");

    expect(await add(b, { messageId: message.id, emoji: "🎉" })).toEqual({ ok: true, message: added });
    expect(await remove(b, { messageId: message.id, emoji: "🔥" })).toEqual({ ok: true, message: added });
    expect(await remove(a, { messageId: message.id, emoji: "🎉" })).toEqual({ ok: true, message: added });
    expect(await stateOf(server, message)).toEqual(before);

    // Anything these no-ops had emitted would have arrived before the barrier's message:new.
    await messageBarrier(a, bob.user.id, [a, b]);
    expect(updatesA).toEqual([]);
    expect(updatesB).toEqual([]);
  });

  it("store ❤ as ❤️, so both are one reaction, and keep skin tones apart", async () => {
    const { alice, bob, a, b } = await pair();
    const message = await sendMessage(a, bob.user.id, "love");
    const heart = await react(a, "add", { messageId: message.id, emoji: "❤" });
    expect(heart.reactions).toEqual([{ emoji: `❤${VS16}`, userIds: [alice.user.id] }]);
    expect(heart.reactions[0]!.emoji).toBe("❤️");

    await messageBarrier(a, bob.user.id, [b]);
    const updates = collect(b, "message:updated");
    expect(await add(a, { messageId: message.id, emoji: "❤️" })).toEqual({ ok: true, message: heart });
    await messageBarrier(a, bob.user.id, [b]);
    expect(updates).toEqual([]);

    const toned = await react(a, "add", { messageId: message.id, emoji: "👍🏽" });
    const plain = await react(a, "add", { messageId: message.id, emoji: "👍" });
    expect(toned.reactions).toHaveLength(2);
    expect(plain.reactions.map((r) => r.emoji).sort()).toEqual(["❤️", "👍", "👍🏽"].sort());

    // Removing by either form removes the stored one.
    const removed = await react(a, "remove", { messageId: message.id, emoji: "❤" });
    expect(removed.reactions.map((r) => r.emoji).sort()).toEqual(["👍", "👍🏽"].sort());
  });

  it("refuse what is not one emoji, or not a payload, as VALIDATION and change nothing", async () => {
    const { bob, a } = await pair();
    const message = await sendMessage(a, bob.user.id, "strict");
    await react(a, "add", { messageId: message.id, emoji: "👀" });
    const before = await stateOf(server, message);
    for (const emoji of ["ok", "👍👍", "", " 👍", "1", VS16, "\ud83d", 42, null]) {
      for (const event of ["reaction:add", "reaction:remove"]) {
        expect(await rawEmitAck(a, event, { messageId: message.id, emoji })).toMatchObject({
          ok: false,
          error: { code: "VALIDATION" },
        });
      }
    }
    for (const payload of [{ emoji: "👍" }, { messageId: "", emoji: "👍" }, { messageId: "a:b", emoji: "👍" }, "👍"]) {
      expect(await rawEmitAck(a, "reaction:add", payload)).toMatchObject({ ok: false, error: { code: "VALIDATION" } });
    }
    expect(await stateOf(server, message)).toEqual(before);
  });

  it("answer NOT_FOUND to anyone outside the conversation, and for an unknown message", async () => {
    const { bob, a } = await pair();
    const carol = await registerUser(server);
    const c = await connectClient(server, carol.token);
    const message = await sendMessage(a, bob.user.id, "private");
    await react(a, "add", { messageId: message.id, emoji: "👀" });
    const before = await stateOf(server, message);
    for (const op of [add, remove]) {
      expect(await op(c, { messageId: message.id, emoji: "👀" })).toMatchObject({
        ok: false,
        error: { code: "NOT_FOUND" },
      });
      expect(await op(a, { messageId: "no-such-message", emoji: "👀" })).toMatchObject({
        ok: false,
        error: { code: "NOT_FOUND" },
      });
    }
    expect(await stateOf(server, message)).toEqual(before);
  });

  it("refuse system messages as VALIDATION", async () => {
    const { bob, a } = await pair();
    const message = await sendMessage(a, bob.user.id, "to become a system message");
    await executeSql(server, "UPDATE messages SET kind = 'system' WHERE id = ?", [message.id]);
    const before = await stateOf(server, message);
    for (const op of [add, remove]) {
      expect(await op(a, { messageId: message.id, emoji: "👍" })).toMatchObject({
        ok: false,
        error: { code: "VALIDATION" },
      });
    }
    expect(await stateOf(server, message)).toEqual(before);
  });
});

describe("reactions and deleted messages", () => {
  it("refuse an add as VALIDATION and answer a remove with ok alone, changing nothing", async () => {
    const { bob, a, b } = await pair();
    const message = await sendMessage(a, bob.user.id, "soon gone");
    const deleted = await emitAck(a, "message:delete", { messageId: message.id });
    expect(deleted.ok).toBe(true);
    await messageBarrier(a, bob.user.id, [b]);
    const before = await stateOf(server, message);
    const updates = collect(b, "message:updated");

    expect(await add(b, { messageId: message.id, emoji: "😢" })).toMatchObject({
      ok: false,
      error: { code: "VALIDATION" },
    });
    expect(await remove(b, { messageId: message.id, emoji: "😢" })).toEqual({ ok: true });
    expect(await stateOf(server, message)).toEqual(before);

    await messageBarrier(a, bob.user.id, [b]);
    expect(updates).toEqual([]);
  });

  it("lose their reactions with the delete, in one message:updated", async () => {
    const { bob, a, b } = await pair();
    const message = await sendMessage(a, bob.user.id, "popular");
    await react(a, "add", { messageId: message.id, emoji: "🔥" });
    await react(b, "add", { messageId: message.id, emoji: "🔥" });
    await react(b, "add", { messageId: message.id, emoji: "💯" });
    await messageBarrier(a, bob.user.id, [b]);
    const updates = collect(b, "message:updated");

    const res = await emitAck(a, "message:delete", { messageId: message.id });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.message).toMatchObject({ body: "", deletedAt: expect.any(String), reactions: [] });

    await messageBarrier(a, bob.user.id, [b]);
    expect(updates).toEqual([res.message]);
    const stored = await stateOf(server, message);
    expect(stored.rows).toEqual([]);
    expect(stored.message).toEqual(res.message);
    const row = (await readTable(server, "messages")).find((m) => m.id === message.id);
    expect(row?.reactions).toBe("[]");
  });
});

describe("concurrent reactions", () => {
  it("store one reaction, and tell once, when two sockets of one user add it at once", async () => {
    const { alice, bob, a, b } = await pair();
    const a2 = await connectClient(server, alice.token);
    const message = await sendMessage(b, alice.user.id, "double tap");
    const updates = collect(b, "message:updated");

    const [first, second] = await Promise.all([
      add(a, { messageId: message.id, emoji: "👍" }),
      add(a2, { messageId: message.id, emoji: "👍" }),
    ]);
    expect(first.ok && second.ok).toBe(true);
    const expected = [{ emoji: "👍", userIds: [alice.user.id] }];
    expect(first.ok && first.message?.reactions).toEqual(expected);
    expect(second.ok && second.message?.reactions).toEqual(expected);

    await messageBarrier(a, bob.user.id, [b]);
    expect(updates).toHaveLength(1);
    expect((await stateOf(server, message)).rows).toEqual([[alice.user.id, "👍"]]);
  });

  it("keep both when two users add different emoji at once", async () => {
    const { alice, bob, a, b } = await pair();
    const message = await sendMessage(a, bob.user.id, "vote");
    await Promise.all([
      react(a, "add", { messageId: message.id, emoji: "✅" }),
      react(b, "add", { messageId: message.id, emoji: "❌" }),
    ]);
    const stored = await stateOf(server, message);
    expect(stored.rows).toHaveLength(2);
    expect(stored.message?.reactions).toEqual(
      expect.arrayContaining([
        { emoji: "✅", userIds: [alice.user.id] },
        { emoji: "❌", userIds: [bob.user.id] },
      ]),
    );
    expect(stored.message?.reactions).toHaveLength(2);
  });

  // Straight at the store, past this node's per-conversation queue: the database alone must settle them,
  // as it must between nodes.
  it("are settled by the database: one of two same adds stores, many different adds all store", async () => {
    const { alice, bob, a } = await pair();
    const message = await sendMessage(a, bob.user.id, "race");
    const limits = { maxDistinct: 50, maxPerUser: 20 };
    const at = new Date().toISOString();
    const same = await Promise.all(
      [0, 1, 2, 3].map(() => server.store.addReaction(message, { userId: alice.user.id, emoji: "👍", at }, limits)),
    );
    expect(same.map((o) => o.result).sort()).toEqual(["changed", "unchanged", "unchanged", "unchanged"]);

    const emoji = ["😀", "😃", "😄", "😁", "😆", "😅"];
    const outcomes = await Promise.all(
      emoji.flatMap((e) =>
        [alice, bob].map((u) => server.store.addReaction(message, { userId: u.user.id, emoji: e, at }, limits)),
      ),
    );
    expect(outcomes.every((o) => o.result === "changed")).toBe(true);
    const stored = await stateOf(server, message);
    expect(stored.rows).toHaveLength(13);
    // Same instant: emoji by their first row, users by id.
    expect(stored.message?.reactions).toEqual([
      { emoji: "👍", userIds: [alice.user.id] },
      ...emoji
        .slice()
        .sort()
        .map((e) => ({ emoji: e, userIds: [alice.user.id, bob.user.id] })),
    ]);
    // Every change took a rev of its own.
    expect(stored.rev).toBe(message.rev + 13);
    expect(stored.message?.rev).toBe(stored.rev);
  });
});

describe("catch-up", () => {
  it("returns a reaction change by rev, over HTTP and on join", async () => {
    const { alice, bob, a, b } = await pair();
    const message = await sendMessage(a, bob.user.id, "while you were away");
    b.disconnect();
    const changed = await react(a, "add", { messageId: message.id, emoji: "🌙" });

    const changes = await http<ChangesResponse>(
      server,
      "GET",
      `/api/conversations/${alice.user.id}/changes?sinceRev=${message.rev}`,
      { token: bob.token },
    );
    expect(changes.status).toBe(200);
    expect(changes.body).toMatchObject({ rev: changed.rev, messages: [changed], hasMore: false });

    const back = await connectClient(server, bob.token);
    const joined = await emitAck(back, "conversation:join", {
      peerId: alice.user.id,
      afterSeq: message.seq,
      sinceRev: message.rev,
    });
    if (!joined.ok) throw new Error(joined.error.message);
    expect(joined.rev).toBe(changed.rev);
    expect(joined.changed).toEqual([changed]);
  });
});

describe("reaction limits", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startServer({ REACTIONS_MAX_DISTINCT: "3", REACTIONS_MAX_PER_USER: "2" });
  });
  afterAll(() => limited.close());

  it("refuse a new emoji beyond the distinct limit but let anyone join one already there", async () => {
    const { bob, a, b } = await pair(limited);
    const message = await sendMessage(a, bob.user.id, "crowded");
    await react(a, "add", { messageId: message.id, emoji: "1️⃣" });
    await react(a, "add", { messageId: message.id, emoji: "2️⃣" });
    await react(b, "add", { messageId: message.id, emoji: "3️⃣" });
    const before = await stateOf(limited, message);

    expect(await add(b, { messageId: message.id, emoji: "4️⃣" })).toMatchObject({
      ok: false,
      error: { code: "LIMIT_REACHED" },
    });
    expect(await stateOf(limited, message)).toEqual(before);

    const joined = await react(b, "add", { messageId: message.id, emoji: "1️⃣" });
    expect(joined.reactions.map((r) => r.userIds.length)).toEqual([2, 1, 1]);
  });

  it("refuse a user's reaction beyond the per-user limit, theirs alone", async () => {
    const { bob, a, b } = await pair(limited);
    const message = await sendMessage(a, bob.user.id, "greedy");
    await react(a, "add", { messageId: message.id, emoji: "🍎" });
    await react(a, "add", { messageId: message.id, emoji: "🍐" });
    const before = await stateOf(limited, message);
    // Joining an existing emoji counts too.
    await react(b, "add", { messageId: message.id, emoji: "🍎" });
    const res = await add(a, { messageId: message.id, emoji: "🍊" });
    expect(res).toMatchObject({ ok: false, error: { code: "LIMIT_REACHED", message: expect.stringContaining("2") } });
    // Re-adding one already there is still a no-op, not a refusal.
    expect((await add(a, { messageId: message.id, emoji: "🍎" })).ok).toBe(true);
    expect((await stateOf(limited, message)).rows).toHaveLength(before.rows.length + 1);

    // Making room lets the next one in.
    await react(a, "remove", { messageId: message.id, emoji: "🍐" });
    const added = await react(a, "add", { messageId: message.id, emoji: "🍊" });
    expect(added.reactions.map((r) => r.emoji)).toEqual(["🍎", "🍊"]);
  });
});

describe("reaction rate limit", () => {
  it("holds a flood to the default burst of 30 and 5 a second, each change told once", async () => {
    const { bob, a, b } = await pair();
    const message = await sendMessage(a, bob.user.id, "flood");
    const updates = collect(b, "message:updated");
    const started = performance.now();
    // Add, remove, add, …: while tokens last, every event is a change.
    const acks = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? add : remove)(a, { messageId: message.id, emoji: "🌊" })),
    );
    const seconds = (performance.now() - started) / 1000;
    await messageBarrier(a, bob.user.id, [b]);
    const accepted = acks.filter((ack) => ack.ok).length;
    console.log(
      `[reactions] flood sent=50 accepted=${accepted} updatesToPeer=${updates.length} seconds=${seconds.toFixed(2)}`,
    );
    expect(accepted).toBeGreaterThanOrEqual(30);
    expect(accepted).toBeLessThanOrEqual(30 + Math.ceil(5 * seconds));
    for (const ack of acks.filter((ack) => !ack.ok)) {
      expect(ack).toMatchObject({ ok: false, error: { code: "RATE_LIMITED", retryAfterMs: expect.any(Number) } });
    }
    // A token refilled mid-flood may land on a no-op (an add after an add), which tells nobody.
    expect(updates.length).toBeGreaterThanOrEqual(30);
    expect(updates.length).toBeLessThanOrEqual(accepted);
    const revs = updates.map((m) => m.rev);
    expect(revs).toEqual([...revs].sort((x, y) => x - y));
  });

  let slow: TestServer;
  beforeAll(async () => {
    // A burst of 3 and a slow refill, so the limit is reached at once and stays reached during the test.
    slow = await startServer({ REACTION_RATE_BURST: "3", REACTION_RATE_PER_SEC: "1" });
  });
  afterAll(() => slow.close());

  it("answers RATE_LIMITED with retryAfterMs over the burst, per user, apart from sending", async () => {
    const { bob, a, b } = await pair(slow);
    const message = await sendMessage(a, bob.user.id, "spam");
    await react(a, "add", { messageId: message.id, emoji: "👍" });
    await react(a, "remove", { messageId: message.id, emoji: "👍" });
    // A refused payload costs a token too.
    expect(await rawEmitAck(a, "reaction:add", { messageId: message.id, emoji: "no" })).toMatchObject({
      ok: false,
      error: { code: "VALIDATION" },
    });
    const before = await stateOf(slow, message);

    const limited = await add(a, { messageId: message.id, emoji: "👍" });
    expect(limited).toMatchObject({ ok: false, error: { code: "RATE_LIMITED", retryAfterMs: expect.any(Number) } });
    expect(!limited.ok && limited.error.retryAfterMs).toBeGreaterThan(0);
    expect(!limited.ok && limited.error.retryAfterMs).toBeLessThanOrEqual(1000);
    expect(await stateOf(slow, message)).toEqual(before);

    // Sending has its own bucket; the peer has their own reactions.
    await sendMessage(a, bob.user.id, "still sending");
    expect((await add(b, { messageId: message.id, emoji: "👍" })).ok).toBe(true);
  });
});
