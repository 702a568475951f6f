import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReceiptEvent } from "../../shared/protocol";
import {
  collect,
  connectClient,
  emitAck,
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

  it("answers NOT_FOUND for an unknown peer", async () => {
    const alice = await registerUser(server);
    const socket = await connectClient(server, alice.token);
    expect(await emitAck(socket, "conversation:receipt", { peerId: "nobody", readSeq: 1 })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
  });
});
