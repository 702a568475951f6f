import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationIdFor } from "../../shared/protocol";
import type { ConversationSummary, ReceiptEvent } from "../../shared/protocol";
import {
  collect,
  connectClient,
  emitAck,
  http,
  messageBarrier,
  registerUser,
  sendMessage,
  startServer,
  waitFor,
} from "./helpers";
import type { TestServer } from "./helpers";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000" });
});
afterAll(() => server.close());

describe("conversation:receipt", () => {
  it("moves watermarks forward only, clamps them to the last seq, and announces only real moves", async () => {
    const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    const [a, b, bobTab2] = await Promise.all([
      connectClient(server, alice.token),
      connectClient(server, bob.token),
      connectClient(server, bob.token),
    ]);
    const aliceSaw = collect(a, "receipt");
    const receipt = (payload: { deliveredSeq?: number; readSeq?: number }) =>
      emitAck(b, "conversation:receipt", { peerId: alice.user.id, ...payload });

    // Before any message every watermark stays 0.
    expect(await receipt({ readSeq: 5 })).toEqual({ ok: true });
    expect(await emitAck(b, "conversation:join", { peerId: alice.user.id })).toMatchObject({
      readSeq: 0,
      peerReadSeq: 0,
    });

    for (let i = 0; i < 3; i++) await sendMessage(a, bob.user.id, `m${i}`);
    const conversationId = `dm:${[alice.user.id, bob.user.id].sort().join(":")}`;

    const delivered = waitFor(a, "receipt");
    const otherTab = waitFor(bobTab2, "receipt");
    expect(await receipt({ deliveredSeq: 2 })).toEqual({ ok: true });
    const expected: ReceiptEvent = { conversationId, userId: bob.user.id, deliveredSeq: 2, readSeq: 0 };
    expect(await delivered).toEqual(expected);
    expect(await otherTab).toEqual(expected);

    expect(await receipt({ deliveredSeq: 1 })).toEqual({ ok: true }); // backwards: no move
    expect(await receipt({ readSeq: 99 })).toEqual({ ok: true }); // clamped to 3, implies delivery
    expect(await receipt({ readSeq: 3, deliveredSeq: 3 })).toEqual({ ok: true }); // no move

    await messageBarrier(b, alice.user.id, [a]);
    expect(aliceSaw).toEqual([expected, { conversationId, userId: bob.user.id, deliveredSeq: 3, readSeq: 3 }]);

    const join = await emitAck(a, "conversation:join", { peerId: bob.user.id });
    expect(join).toMatchObject({ ok: true, peerReadSeq: 3, peerDeliveredSeq: 3, readSeq: 0 });
  });

  it("reaches every tab of both users, joined or not, and shows in join and in the conversation list", async () => {
    const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    const [a1, a2, b1, b2] = await Promise.all([
      connectClient(server, alice.token),
      connectClient(server, alice.token),
      connectClient(server, bob.token),
      connectClient(server, bob.token),
    ]);
    // Only one tab of each has the conversation open; the others hear through the user room.
    await emitAck(a1, "conversation:join", { peerId: bob.user.id });
    await emitAck(b1, "conversation:join", { peerId: alice.user.id });
    for (let i = 0; i < 3; i++) await sendMessage(a1, bob.user.id, `m${i}`);
    const conversationId = conversationIdFor(alice.user.id, bob.user.id);
    const summary = async (token: string) =>
      (await http<{ conversations: ConversationSummary[] }>(server, "GET", "/api/conversations", { token })).body
        .conversations[0];
    expect(await summary(bob.token)).toMatchObject({ unreadCount: 3, readSeq: 0 });
    expect(await summary(alice.token)).toMatchObject({ unreadCount: 0, peerDeliveredSeq: 0, peerReadSeq: 0 });

    /** Bob's receipt from his first tab, and the event every tab of both users must get. */
    async function bobReports(payload: { deliveredSeq?: number; readSeq?: number }, expected: ReceiptEvent) {
      const everyTab = [a1, a2, b1, b2].map((socket) =>
        waitFor(socket, "receipt", (e) => e.readSeq === expected.readSeq && e.deliveredSeq === expected.deliveredSeq),
      );
      expect(await emitAck(b1, "conversation:receipt", { peerId: alice.user.id, ...payload })).toEqual({ ok: true });
      for (const event of await Promise.all(everyTab)) expect(event).toEqual(expected);
    }

    // Delivery: the sender sees it live, in join and in the list.
    await bobReports({ deliveredSeq: 3 }, { conversationId, userId: bob.user.id, deliveredSeq: 3, readSeq: 0 });
    expect(await emitAck(a2, "conversation:join", { peerId: bob.user.id })).toMatchObject({
      ok: true,
      peerDeliveredSeq: 3,
      peerReadSeq: 0,
    });
    expect(await summary(alice.token)).toMatchObject({ peerDeliveredSeq: 3, peerReadSeq: 0 });
    expect(await summary(bob.token)).toMatchObject({ unreadCount: 3, readSeq: 0 });

    // Reading in one tab reaches the reader's other tab (it clears its unread count) and lowers the count.
    await bobReports({ readSeq: 2 }, { conversationId, userId: bob.user.id, deliveredSeq: 3, readSeq: 2 });
    expect(await summary(bob.token)).toMatchObject({ unreadCount: 1, readSeq: 2 });
    await bobReports({ readSeq: 3 }, { conversationId, userId: bob.user.id, deliveredSeq: 3, readSeq: 3 });
    expect(await summary(bob.token)).toMatchObject({ unreadCount: 0, readSeq: 3 });
    expect(await summary(alice.token)).toMatchObject({ peerDeliveredSeq: 3, peerReadSeq: 3, unreadCount: 0 });
    expect(await emitAck(b2, "conversation:join", { peerId: alice.user.id })).toMatchObject({
      ok: true,
      readSeq: 3,
      peerReadSeq: 0,
    });
  });

  it("answers NOT_FOUND for an unknown peer", async () => {
    const alice = await registerUser(server);
    const socket = await connectClient(server, alice.token);
    expect(await emitAck(socket, "conversation:receipt", { peerId: "nobody", readSeq: 1 })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
  });
});
