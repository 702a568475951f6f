import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangesResponse, ConversationSummary, GroupJoinResult, JoinResult, Message } from "../../shared/protocol";
import { collect, connectClient, emitAck, http, newClientId, rawEmit, startServer, waitFor } from "./helpers";
import type { ClientSocket, TestServer, TestUser } from "./helpers";
import { createGroup, groupPath, newUsers, readHistory } from "./group-helpers";

// PROTOCOL-v2 §3, §4 (first rule), §6 and §11 for groups: delivery over sockets.

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000", EVENT_RATE_BURST: "1000" });
});
afterAll(() => server.close());

async function send(socket: ClientSocket, conversationId: string, body: string, clientId = newClientId()) {
  const res = await emitAck(socket, "message:send", { conversationId, clientId, body });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

async function join(
  socket: ClientSocket,
  conversationId: string,
  cursors: { afterSeq?: number; sinceRev?: number } = {},
) {
  const res = await emitAck(socket, "conversation:join", { conversationId, ...cursors });
  if (!res.ok) throw new Error(`join failed: ${res.error.code}`);
  return res as JoinResult as GroupJoinResult;
}

/** Sends from `socket` and waits until each of `receivers` got it: what was sent to them before has arrived. */
async function barrier(socket: ClientSocket, conversationId: string, receivers: ClientSocket[]): Promise<Message> {
  const clientId = newClientId();
  const arrivals = receivers.map((r) => waitFor(r, "message:new", (m) => m.clientId === clientId));
  const message = await send(socket, conversationId, "barrier", clientId);
  await Promise.all(arrivals);
  return message;
}

const removeMember = (group: { id: string }, owner: TestUser, member: TestUser) =>
  http(server, "DELETE", `${groupPath(group)}/members/${member.user.id}`, { token: owner.token });

describe("conversation:join of a group", () => {
  it("answers the v1.1 fields with the group and visibleFromSeq, and no peer", async () => {
    const [alice, bob] = await newUsers(server, 2);
    const group = await createGroup(server, alice!, [bob!], { name: "g" });
    const a = await connectClient(server, alice!.token);
    const first = await send(a, group.conversationId, "hello");
    const joined = await join(a, group.conversationId);
    expect(joined).toMatchObject({
      ok: true,
      conversationId: group.conversationId,
      hasMore: false,
      readSeq: 1,
      visibleFromSeq: 1,
      rev: 2,
      changed: [],
      changedHasMore: false,
      group: { id: group.id, name: "g", history: "shared" },
    });
    expect(joined).not.toHaveProperty("peer");
    expect(joined.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(joined.messages[1]).toEqual(first);
    expect(joined.group.members.map((m) => m.user.id).sort()).toEqual([alice!.user.id, bob!.user.id].sort());
    expect(joined.group.members[0]!.user).toHaveProperty("online");
  });

  it("history 'joined': a later member sees from their joinedSeq in joins, catch-up, pages and changes; 'shared': everything", async () => {
    for (const history of ["joined", "shared"] as const) {
      const [alice, bob] = await newUsers(server, 2);
      const group = await createGroup(server, alice!, [], { history });
      const a = await connectClient(server, alice!.token);
      const early = await send(a, group.conversationId, "before bob");
      await http(server, "POST", `${groupPath(group)}/members`, {
        token: alice!.token,
        body: { userIds: [bob!.user.id] },
      });
      await send(a, group.conversationId, "after bob");
      expect((await emitAck(a, "message:edit", { messageId: early.id, body: "edited before bob" })).ok).toBe(true);

      const b = await connectClient(server, bob!.token);
      const from = history === "joined" ? 3 : 1;
      const joined = await join(b, group.conversationId);
      expect(joined.visibleFromSeq).toBe(from);
      expect(joined.readSeq).toBe(3);
      expect(joined.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4].filter((s) => s >= from));
      expect((await join(b, group.conversationId, { afterSeq: 0 })).messages[0]!.seq).toBe(from);
      const changed = await join(b, group.conversationId, { afterSeq: 4, sinceRev: 0 });
      // By rev: the edit moved seq 2 last.
      expect(changed.changed.map((m) => m.seq)).toEqual([1, 3, 4, 2].filter((s) => s >= from));

      expect((await readHistory(server, bob!, group)).messages[0]!.seq).toBe(from);
      expect((await readHistory(server, bob!, group, "?beforeSeq=4")).messages[0]!.seq).toBe(from);
      const changes = await http<ChangesResponse>(
        server,
        "GET",
        `/api/conversations/${encodeURIComponent(group.conversationId)}/changes?sinceRev=0`,
        { token: bob!.token },
      );
      expect(changes.body.messages.some((m) => m.id === early.id)).toBe(history === "shared");
      const visible = await emitAck(b, "message:delete", { messageId: early.id });
      expect(visible.ok || visible.error.code).toBe(history === "shared" ? "FORBIDDEN" : "NOT_FOUND");
    }
  });
});

describe("messages in a group", () => {
  it("a 5-member group: every socket of every member gets each message exactly once, in seq order", async () => {
    const users = await newUsers(server, 5);
    const group = await createGroup(server, users[0]!, users.slice(1));
    // Two sockets each: one joined to the group, one only in its user room.
    const sockets = await Promise.all(
      users.flatMap((u) => [connectClient(server, u.token), connectClient(server, u.token)]),
    );
    await Promise.all(sockets.filter((_, i) => i % 2 === 0).map((s) => join(s, group.conversationId)));
    const seen = sockets.map((s) => collect(s, "message:new"));
    const sent = await Promise.all(
      users.flatMap((_, u) => [0, 1, 2].map((i) => send(sockets[u * 2 + (i % 2)]!, group.conversationId, `${u}:${i}`))),
    );
    const lastClientId = newClientId();
    const last = sockets.map((s) => waitFor(s, "message:new", (m) => m.clientId === lastClientId));
    await send(sockets[0]!, group.conversationId, "last", lastClientId);
    await Promise.all(last);
    const expected = [...sent.map((m) => m.seq), 17].sort((x, y) => x - y);
    expect(expected).toEqual(Array.from({ length: 16 }, (_, i) => i + 2));
    for (const messages of seen) expect(messages.map((m) => m.seq)).toEqual(expected);
  });

  it("edits: only the sender; deletes: the sender or an owner; system messages: neither (VALIDATION); updates reach every member once", async () => {
    const [alice, bob, carol] = await newUsers(server, 3);
    const group = await createGroup(server, alice!, [bob!, carol!]);
    const [a, b, c] = await Promise.all([alice!, bob!, carol!].map((u) => connectClient(server, u.token)));
    const bobs = await send(b!, group.conversationId, "bob's");
    const carols = await send(c!, group.conversationId, "carol's");
    const updates = [a!, b!, c!].map((s) => collect(s, "message:updated"));

    expect(await emitAck(a!, "message:edit", { messageId: bobs.id, body: "x" })).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
    expect(await emitAck(c!, "message:delete", { messageId: bobs.id })).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
    expect(await emitAck(b!, "message:edit", { messageId: bobs.id, body: "bob's, edited" })).toMatchObject({
      ok: true,
    });
    expect(await emitAck(a!, "message:delete", { messageId: carols.id })).toMatchObject({
      ok: true,
      message: { deletedAt: expect.any(String), body: "" },
    });
    const created = (await readHistory(server, alice!, group)).messages[0]!;
    for (const event of ["message:edit", "message:delete"] as const)
      expect(await emitAck(a!, event, { messageId: created.id, body: "x" })).toMatchObject({
        ok: false,
        error: { code: "VALIDATION" },
      });
    await barrier(a!, group.conversationId, [a!, b!, c!]);
    for (const seen of updates)
      expect(seen.map((m) => [m.id, m.rev])).toEqual([
        [bobs.id, 4],
        [carols.id, 5],
      ]);
  });

  it("receipts: per-member watermarks from joinedSeq, told to the reader's sockets and to sockets joined to the group", async () => {
    const [alice, bob, carol] = await newUsers(server, 3);
    const group = await createGroup(server, alice!, [bob!]);
    const [a, aOther, b, c] = await Promise.all(
      [alice!, alice!, bob!, carol!].map((u) => connectClient(server, u.token)),
    );
    await send(a!, group.conversationId, "one");
    await http(server, "POST", `${groupPath(group)}/members`, {
      token: alice!.token,
      body: { userIds: [carol!.user.id] },
    });
    await send(a!, group.conversationId, "two");
    await join(b!, group.conversationId);
    const bobNotJoined = await connectClient(server, bob!.token);
    const seen = [aOther!, b!, bobNotJoined].map((s) => collect(s, "receipt"));

    const told = waitFor(b!, "receipt", (r) => r.userId === carol!.user.id);
    // Below carol's joinedSeq (3): nothing moves.
    expect(await emitAck(c!, "conversation:receipt", { conversationId: group.conversationId, readSeq: 2 })).toEqual({
      ok: true,
    });
    expect(await emitAck(c!, "conversation:receipt", { conversationId: group.conversationId, readSeq: 99 })).toEqual({
      ok: true,
    });
    const event = { conversationId: group.conversationId, userId: carol!.user.id, deliveredSeq: 4, readSeq: 4 };
    await told;
    await barrier(a!, group.conversationId, [aOther!, b!, bobNotJoined]);
    expect(seen).toEqual([[], [event], []]);
    const members = (await join(a!, group.conversationId)).group.members;
    expect(members.find((m) => m.user.id === carol!.user.id)).toMatchObject({ joinedSeq: 3, readSeq: 4 });
    expect(members.find((m) => m.user.id === bob!.user.id)).toMatchObject({ readSeq: 1 });
  });

  it("typing reaches sockets joined to the group but the typist's; presence reaches them too", async () => {
    const [alice, bob, carol] = await newUsers(server, 3);
    const group = await createGroup(server, alice!, [bob!, carol!]);
    const [a, aJoined, b, cNotJoined] = await Promise.all(
      [alice!, alice!, bob!, carol!].map((u) => connectClient(server, u.token)),
    );
    await Promise.all([join(aJoined!, group.conversationId), join(b!, group.conversationId)]);
    const seen = [aJoined!, b!, cNotJoined!].map((s) => collect(s, "typing"));
    rawEmit(a!, "typing", { conversationId: group.conversationId, typing: true });
    await waitFor(b!, "typing");
    await barrier(a!, group.conversationId, [aJoined!, b!, cNotJoined!]);
    const typing = { conversationId: group.conversationId, userId: alice!.user.id, typing: true };
    expect(seen).toEqual([[], [typing], []]);

    // Carol has no DM with anyone here: her presence reaches them through the group's room.
    const online = waitFor(b!, "presence", (p) => p.userId === carol!.user.id && p.online);
    cNotJoined!.disconnect();
    await waitFor(b!, "presence", (p) => p.userId === carol!.user.id && !p.online);
    await connectClient(server, carol!.token);
    await online;
  });

  it("numbers a burst from several members without a gap, refusing a removed member's sends", async () => {
    const [alice, bob, carol] = await newUsers(server, 3);
    const group = await createGroup(server, alice!, [bob!, carol!]);
    const [a, b, c] = await Promise.all([alice, bob, carol].map((u) => connectClient(server, u!.token)));
    expect((await removeMember(group, alice!, carol!)).status).toBe(204);
    const removedAt = (await readHistory(server, alice!, group)).messages.at(-1)!.seq;
    const received = collect(a!, "message:new");

    // Emitted together, so that they arrive while one another's writes are open.
    const burst = (socket: ClientSocket, who: string, count: number) =>
      Array.from({ length: count }, (_, i) =>
        emitAck(socket, "message:send", {
          conversationId: group.conversationId,
          clientId: newClientId(),
          body: `${who} ${i}`,
        }),
      );
    const [fromAlice, fromBob, fromCarol] = await Promise.all(
      [burst(a!, "alice", 8), burst(b!, "bob", 8), burst(c!, "carol", 4)].map((acks) => Promise.all(acks)),
    );

    expect(fromCarol!.every((res) => !res.ok && res.error.code === "NOT_FOUND")).toBe(true);
    const sent = [...fromAlice!, ...fromBob!].map((res) => (res.ok ? res.message : expect.fail("refused")));
    const seqs = sent.map((m) => m.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 16 }, (_, i) => removedAt + 1 + i));
    for (const who of ["alice", "bob"]) {
      const own = sent.filter((m) => m.body.startsWith(who));
      expect(own.map((m) => m.body)).toEqual(Array.from({ length: 8 }, (_, i) => `${who} ${i}`));
      expect(own.map((m) => m.seq)).toEqual([...own.map((m) => m.seq)].sort((x, y) => x - y));
    }
    await barrier(b!, group.conversationId, [a!]);
    expect(received.slice(0, 16).map((m) => m.seq)).toEqual(seqs);
  });
});

describe("a former member", () => {
  it("gets NOT_FOUND for every read, write and join; a retry of a message they sent still answers; the group leaves their list", async () => {
    const [alice, bob] = await newUsers(server, 2);
    const group = await createGroup(server, alice!, [bob!]);
    const b = await connectClient(server, bob!.token);
    const clientId = newClientId();
    const sent = await send(b, group.conversationId, "mine", clientId);
    expect((await removeMember(group, alice!, bob!)).status).toBe(204);

    const ref = { conversationId: group.conversationId };
    const notFound = { ok: false, error: { code: "NOT_FOUND" } };
    expect(await emitAck(b, "conversation:join", ref)).toMatchObject(notFound);
    expect(await emitAck(b, "message:send", { ...ref, clientId: newClientId(), body: "x" })).toMatchObject(notFound);
    expect(await emitAck(b, "message:edit", { messageId: sent.id, body: "x" })).toMatchObject(notFound);
    expect(await emitAck(b, "message:delete", { messageId: sent.id })).toMatchObject(notFound);
    expect(await emitAck(b, "conversation:receipt", { ...ref, readSeq: 2 })).toMatchObject(notFound);
    expect(await emitAck(b, "conversation:leave", ref)).toMatchObject(notFound);
    for (const path of ["messages", "changes"]) {
      const res = await http(server, "GET", `/api/conversations/${encodeURIComponent(group.conversationId)}/${path}`, {
        token: bob!.token,
      });
      expect(res.status).toBe(404);
    }
    expect((await http(server, "GET", groupPath(group), { token: bob!.token })).status).toBe(404);
    expect((await http(server, "POST", `${groupPath(group)}/leave`, { token: bob!.token })).status).toBe(404);

    expect(await emitAck(b, "message:send", { ...ref, clientId, body: "mine" })).toEqual({ ok: true, message: sent });
    const list = await http<{ conversations: ConversationSummary[] }>(server, "GET", "/api/conversations", {
      token: bob!.token,
    });
    expect(list.body.conversations.map((c) => c.conversationId)).not.toContain(group.conversationId);
  });

  it("removed while typing and sending: sends are ordered with the removal, the others see typing stop, later typing is dropped", async () => {
    const [alice, bob, carol] = await newUsers(server, 3);
    const group = await createGroup(server, alice!, [bob!, carol!]);
    const [a, b, bOther, c] = await Promise.all(
      [alice!, bob!, bob!, carol!].map((u) => connectClient(server, u.token)),
    );
    await Promise.all([a, b, c].map((s) => join(s!, group.conversationId)));
    rawEmit(b!, "typing", { conversationId: group.conversationId, typing: true });
    await waitFor(c!, "typing", (t) => t.typing);
    const carolTyping = collect(c!, "typing");
    const bobSaw = [b!, bOther!].map((s) => waitFor(s, "message:new", (m) => m.system?.action === "removed"));

    // Bob keeps sending while he is removed.
    const sends = Array.from({ length: 20 }, (_, i) =>
      emitAck(b!, "message:send", { conversationId: group.conversationId, clientId: newClientId(), body: `${i}` }),
    );
    const removal = removeMember(group, alice!, bob!);
    const results = await Promise.all(sends);
    expect((await removal).status).toBe(204);
    const removed = (await Promise.all(bobSaw))[0]!;
    const stored = results.flatMap((r) => (r.ok ? [r.message.seq] : []));
    const refused = results.filter((r) => !r.ok);
    // Whatever committed before the removal is below it; everything after is NOT_FOUND.
    for (const seq of stored) expect(seq).toBeLessThan(removed.seq);
    for (const r of refused) expect(r).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect(stored.length + refused.length).toBe(20);
    expect(
      await emitAck(b!, "message:send", {
        conversationId: group.conversationId,
        clientId: newClientId(),
        body: "late",
      }),
    ).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });

    // Were it relayed, this typing:false would pass the throttle: it ends the relayed typing:true.
    rawEmit(b!, "typing", { conversationId: group.conversationId, typing: false });
    rawEmit(bOther!, "typing", { conversationId: group.conversationId, typing: false });
    // Bob's typing events are handled before his sockets' next events; the barrier follows them.
    await Promise.all(
      [b!, bOther!].map((s) => emitAck(s, "conversation:receipt", { peerId: alice!.user.id, readSeq: 0 })),
    );
    await barrier(a!, group.conversationId, [c!]);
    expect(carolTyping).toEqual([{ conversationId: group.conversationId, userId: bob!.user.id, typing: false }]);

    // Bob's sockets left the room: carol's typing reaches alice's joined socket, not his.
    const bobTyping = collect(b!, "typing");
    const aliceSaw = waitFor(a!, "typing", (t) => t.userId === carol!.user.id);
    rawEmit(c!, "typing", { conversationId: group.conversationId, typing: true });
    await aliceSaw;
    const dmClientId = newClientId();
    const dmArrived = waitFor(b!, "message:new", (m) => m.clientId === dmClientId);
    await emitAck(a!, "message:send", { peerId: bob!.user.id, clientId: dmClientId, body: "dm barrier" });
    await dmArrived;
    expect(bobTyping).toEqual([]);

    const history = (await readHistory(server, alice!, group)).messages;
    expect(history.map((m) => m.seq)).toEqual(Array.from({ length: history.length }, (_, i) => i + 1));
  });
});
