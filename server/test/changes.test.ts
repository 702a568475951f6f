import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIMITS, conversationIdFor } from "../../shared/protocol";
import type { ChangesResponse, HistoryResponse, Message } from "../../shared/protocol";
import { connectClient, emitAck, http, newClientId, registerUser, sendMessage, startServer, waitFor } from "./helpers";
import type { ClientSocket, TestServer, TestUser } from "./helpers";

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "100000", SEND_RATE_PER_SEC: "100000" });
});
afterAll(() => server.close());

/** Two fresh users, each with a connected socket. */
async function pair(): Promise<{ alice: TestUser; bob: TestUser; a: ClientSocket; b: ClientSocket }> {
  const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
  const [a, b] = await Promise.all([connectClient(server, alice.token), connectClient(server, bob.token)]);
  return { alice, bob, a, b };
}

async function join(socket: ClientSocket, peerId: string, afterSeq?: number, sinceRev?: number) {
  const res = await emitAck(socket, "conversation:join", { peerId, afterSeq, sinceRev });
  if (!res.ok) throw new Error(`join failed: ${res.error.code}`);
  return res;
}

async function edit(socket: ClientSocket, messageId: string, body: string): Promise<Message> {
  const res = await emitAck(socket, "message:edit", { messageId, body });
  if (!res.ok) throw new Error(`edit failed: ${res.error.code}`);
  return res.message;
}

async function remove(socket: ClientSocket, messageId: string): Promise<Message> {
  const res = await emitAck(socket, "message:delete", { messageId });
  if (!res.ok) throw new Error(`delete failed: ${res.error.code}`);
  return res.message;
}

describe("rev", () => {
  it("moves by one with every send, edit and delete, and each message carries the rev of its last change", async () => {
    const { alice, bob, a } = await pair();
    expect((await join(a, bob.user.id)).rev).toBe(0);
    const first = await sendMessage(a, bob.user.id, "one");
    const second = await sendMessage(a, bob.user.id, "two");
    expect([first.rev, second.rev]).toEqual([1, 2]);
    const edited = await edit(a, first.id, "one, edited");
    expect(edited).toMatchObject({ seq: 1, rev: 3 });
    const deleted = await remove(a, second.id);
    expect(deleted).toMatchObject({ seq: 2, rev: 4, body: "" });
    // Deleting again changes nothing, so the rev stays.
    expect(await remove(a, second.id)).toEqual(deleted);
    const joined = await join(a, bob.user.id);
    expect(joined.rev).toBe(4);
    expect(joined.messages.map((m) => [m.seq, m.rev])).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(alice.user.id).not.toBe(bob.user.id);
  });

  it("rejects a sinceRev that is not a non-negative integer", async () => {
    const { bob, a } = await pair();
    for (const sinceRev of [-1, 1.5, "3", null]) {
      expect(
        await emitAck(a, "conversation:join", { peerId: bob.user.id, afterSeq: 0, sinceRev } as never),
      ).toMatchObject({ ok: false, error: { code: "VALIDATION" } });
    }
  });
});

describe("catch-up of changes on join", () => {
  it("returns what was edited or deleted while the client was away, by rev, beside the new messages", async () => {
    const { alice, bob, a, b } = await pair();
    const sent: Message[] = [];
    for (const body of ["m1", "m2", "m3"]) sent.push(await sendMessage(a, bob.user.id, body));
    // Bob is in sync at seq 3 and rev 3, then goes away.
    const synced = await join(b, alice.user.id);
    expect(synced.rev).toBe(3);
    b.disconnect();

    await edit(a, sent[0]!.id, "m1 edited");
    await remove(a, sent[2]!.id);
    await sendMessage(a, bob.user.id, "m4");
    await edit(a, sent[0]!.id, "m1 edited twice");

    const back = await connectClient(server, bob.token);
    const res = await join(back, alice.user.id, 3, synced.rev);
    expect(res.rev).toBe(7);
    expect(res.messages.map((m) => m.body)).toEqual(["m4"]);
    // Only messages up to afterSeq are in `changed`; each appears once, at its latest rev.
    expect(res.changed.map((m) => [m.seq, m.rev, m.body, m.deletedAt !== null])).toEqual([
      [3, 5, "", true],
      [1, 7, "m1 edited twice", false],
    ]);
    expect(res.changedHasMore).toBe(false);
  });

  it("returns no changes without sinceRev, or when nothing changed since it", async () => {
    const { alice, bob, a, b } = await pair();
    await sendMessage(a, bob.user.id, "hello");
    const synced = await join(b, alice.user.id);
    expect((await join(b, alice.user.id, 1)).changed).toEqual([]);
    expect(await join(b, alice.user.id, 1, synced.rev)).toMatchObject({ changed: [], changedHasMore: false });
  });

  it("pages the rest over GET /changes when more changed than a join returns", async () => {
    const { alice, bob, a, b } = await pair();
    const count = LIMITS.changesMax + 20;
    const sent: Message[] = [];
    for (let i = 0; i < count; i++) sent.push(await sendMessage(a, bob.user.id, `message ${i}`));
    const synced = await join(b, alice.user.id);
    for (const message of sent) await edit(a, message.id, `${message.body} edited`);

    const res = await join(b, alice.user.id, count, synced.rev);
    expect(res.changed).toHaveLength(LIMITS.changesMax);
    expect(res.changedHasMore).toBe(true);

    const seen = new Map(res.changed.map((m) => [m.id, m]));
    let sinceRev = res.changed.at(-1)!.rev;
    for (;;) {
      const page = await http<ChangesResponse>(
        server,
        "GET",
        `/api/conversations/${alice.user.id}/changes?sinceRev=${sinceRev}&uptoSeq=${count}`,
        { token: bob.token },
      );
      expect(page.status).toBe(200);
      expect(page.body.rev).toBe(2 * count);
      for (const m of page.body.messages) seen.set(m.id, m);
      if (!page.body.hasMore) break;
      sinceRev = page.body.messages.at(-1)!.rev;
    }
    expect(seen.size).toBe(count);
    expect([...seen.values()].every((m) => m.body.endsWith(" edited"))).toBe(true);
  });

  it("GET /changes validates its query and answers 404 for an unknown peer", async () => {
    const { bob, alice } = await pair();
    const path = `/api/conversations/${bob.user.id}/changes`;
    for (const query of ["?sinceRev=-1", "?sinceRev=abc", "?uptoSeq=1.5", "?limit=0"]) {
      const res = await http(server, "GET", path + query, { token: alice.token });
      expect(res.status, query).toBe(400);
      expect(res.body).toMatchObject({ error: { code: "VALIDATION" } });
    }
    expect((await http(server, "GET", "/api/conversations/nobody/changes", { token: alice.token })).status).toBe(404);
    expect((await http(server, "GET", path)).status).toBe(401);
  });
});

describe("edits racing deletes", () => {
  it("never revives a deleted body, whatever order the store sees them in", async () => {
    const { bob, a } = await pair();
    const message = await sendMessage(a, bob.user.id, "secret");
    const tombstone = await remove(a, message.id);
    // The store itself refuses, with no queue in front of it: as a second node would call it.
    const late = await server.store.updateMessage(message, { body: "revived", editedAt: new Date().toISOString() });
    expect(late).toBeNull();
    expect(await server.store.findMessageById(message.id)).toEqual(tombstone);
    const state = await server.store.getConversationState(message.conversationId, message.senderId, bob.user.id);
    expect(state.rev).toBe(tombstone.rev);
    expect(await emitAck(a, "message:edit", { messageId: message.id, body: "revived" })).toMatchObject({
      ok: false,
      error: { code: "VALIDATION" },
    });
  });

  it("settles concurrent edits and deletes from two tabs with the delete winning", async () => {
    const { alice, bob, a, b } = await pair();
    const second = await connectClient(server, alice.token);
    await join(b, alice.user.id);
    for (let round = 0; round < 20; round++) {
      const message = await sendMessage(a, bob.user.id, `round ${round}`);
      const results = await Promise.all([
        emitAck(a, "message:edit", { messageId: message.id, body: `edit ${round}` }),
        emitAck(second, "message:delete", { messageId: message.id }),
      ]);
      const stored = await server.store.findMessageById(message.id);
      expect(stored).toMatchObject({ body: "", deletedAt: expect.any(String) });
      // The delete acks the tombstone; the edit either landed before it or was refused.
      expect(results[1]).toMatchObject({ ok: true, message: { body: "" } });
      if (!results[0].ok) expect(results[0].error.code).toBe("VALIDATION");
    }
  });
});

describe("page byte cap", () => {
  it("ends join, history and changes pages once their bodies reach 1 MiB", async () => {
    const { alice, bob, a, b } = await pair();
    const body = "é".repeat(LIMITS.bodyMaxCodePoints); // 8000 UTF-8 bytes
    const count = 200;
    const sent: Message[] = [];
    for (let i = 0; i < count; i++) {
      const res = await emitAck(a, "message:send", { peerId: bob.user.id, clientId: newClientId(), body });
      if (!res.ok) throw new Error(res.error.code);
      sent.push(res.message);
    }
    const perPage = Math.floor(LIMITS.pageMaxBodyBytes / Buffer.byteLength(body));
    expect(perPage).toBeLessThan(count);

    const joined = await join(b, alice.user.id, 0);
    expect(joined.messages).toHaveLength(perPage);
    expect(joined.messages[0]!.seq).toBe(1);
    expect(joined.hasMore).toBe(true);

    const after = await http<HistoryResponse>(
      server,
      "GET",
      `/api/conversations/${alice.user.id}/messages?afterSeq=0&limit=500`,
      { token: bob.token },
    );
    expect(after.body.messages.map((m) => m.seq)).toEqual(joined.messages.map((m) => m.seq));
    expect(after.body.hasMore).toBe(true);

    // Before a cursor the page keeps the messages nearest it.
    const before = await http<HistoryResponse>(
      server,
      "GET",
      `/api/conversations/${alice.user.id}/messages?beforeSeq=${count + 1}&limit=200`,
      { token: bob.token },
    );
    expect(before.body.messages).toHaveLength(perPage);
    expect(before.body.messages.at(-1)!.seq).toBe(count);
    expect(before.body.hasMore).toBe(true);

    const changes = await http<ChangesResponse>(server, "GET", `/api/conversations/${alice.user.id}/changes`, {
      token: bob.token,
    });
    expect(changes.body.messages).toHaveLength(perPage);
    expect(changes.body.hasMore).toBe(true);
    expect(conversationIdFor(alice.user.id, bob.user.id)).toBe(sent[0]!.conversationId);
  });
});

describe("live updates carry the rev", () => {
  it("broadcasts message:updated with the new rev to the peer", async () => {
    const { alice, bob, a, b } = await pair();
    await join(b, alice.user.id);
    const message = await sendMessage(a, bob.user.id, "hi");
    const updated = waitFor(b, "message:updated");
    const edited = await edit(a, message.id, "hi!");
    expect(await updated).toEqual(edited);
    expect(edited.rev).toBe(message.rev + 1);
  });
});
