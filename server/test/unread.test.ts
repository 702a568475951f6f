import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DmSummary, Message } from "../../shared/protocol";
import { connectClient, emitAck, fetchAllMessages, http, registerUser, sendMessage, startServer } from "./helpers";
import type { ClientSocket, TestServer, TestUser } from "./helpers";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000" });
});
afterAll(() => server.close());

async function listed(user: TestUser, peerId: string): Promise<DmSummary | undefined> {
  const res = await http<{ conversations: DmSummary[] }>(server, "GET", "/api/conversations", {
    token: user.token,
  });
  return res.body.conversations.find((c) => c.peer.id === peerId);
}

/** The protocol's unread count, from the whole history: the peer's messages above my read watermark. */
function expectedUnread(history: Message[], selfId: string, readSeq: number): number {
  return history.filter((m) => m.senderId !== selfId && m.seq > readSeq).length;
}

describe("unread counts in the conversation list", () => {
  it("stay exact across sends from both sides, partial reads, edits and deletes", async () => {
    const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    const [a, b] = await Promise.all([connectClient(server, alice.token), connectClient(server, bob.token)]);
    const sides: Array<{ user: TestUser; socket: ClientSocket; peer: TestUser }> = [
      { user: alice, socket: a, peer: bob },
      { user: bob, socket: b, peer: alice },
    ];
    const sent: Message[] = [];
    // A fixed pseudo-random walk (LCG), so a failure replays the same way.
    let state = 7;
    const next = (n: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return (state >>> 16) % n;
    };

    for (let step = 0; step < 80; step++) {
      const side = sides[next(2)]!;
      const action = next(10);
      const own = sent.filter((m) => m.senderId === side.user.user.id && !m.deletedAt);
      if (action < 5 || sent.length === 0) {
        sent.push(await sendMessage(side.socket, side.peer.user.id, `step ${step}`));
      } else if (action < 7) {
        // A partial read: a watermark somewhere in the history, on either side's message.
        const readSeq = 1 + next(sent.length);
        expect(await emitAck(side.socket, "conversation:receipt", { peerId: side.peer.user.id, readSeq })).toEqual({
          ok: true,
        });
      } else if (own.length > 0) {
        const target = own[next(own.length)]!;
        const res =
          action < 9
            ? await emitAck(side.socket, "message:edit", { messageId: target.id, body: `edited ${step}` })
            : await emitAck(side.socket, "message:delete", { messageId: target.id });
        expect(res.ok).toBe(true);
        if (res.ok) sent.splice(sent.indexOf(target), 1, res.message);
      }

      for (const { user, peer } of sides) {
        const summary = await listed(user, peer.user.id);
        if (!summary) continue;
        const history = await fetchAllMessages(server.url, user.token, peer.user.id);
        expect(summary.unreadCount, `step ${step}, ${user.user.username}`).toBe(
          expectedUnread(history, user.user.id, summary.readSeq),
        );
      }
    }
    // The walk did what it is meant to cover.
    const history = await fetchAllMessages(server.url, alice.token, bob.user.id);
    expect(history.some((m) => m.deletedAt)).toBe(true);
    expect(history.some((m) => m.editedAt && !m.deletedAt)).toBe(true);
    expect((await listed(alice, bob.user.id))!.readSeq).toBeGreaterThan(0);
    expect((await listed(bob, alice.user.id))!.readSeq).toBeGreaterThan(0);
  });

  it("are 0 in a conversation with myself, and reading everything clears them", async () => {
    const [carol, dave] = await Promise.all([registerUser(server), registerUser(server)]);
    const [c, d] = await Promise.all([connectClient(server, carol.token), connectClient(server, dave.token)]);
    await sendMessage(c, carol.user.id, "note to self");
    expect((await listed(carol, carol.user.id))!.unreadCount).toBe(0);

    for (let i = 0; i < 5; i++) await sendMessage(d, carol.user.id, `hi ${i}`);
    const mine = await sendMessage(c, dave.user.id, "reply");
    expect((await listed(carol, dave.user.id))!.unreadCount).toBe(5);
    expect((await listed(dave, carol.user.id))!.unreadCount).toBe(1);
    await emitAck(c, "conversation:receipt", { peerId: dave.user.id, readSeq: mine.seq });
    expect((await listed(carol, dave.user.id))!.unreadCount).toBe(0);
  });
});
