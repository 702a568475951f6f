import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationIdFor } from "../../shared/protocol";
import type { Message } from "../../shared/protocol";
import { SEND_BATCH_MAX } from "../src/chat/messages";
import { newMessageId } from "../src/lib/ids";
import { collect, connectClient, emitAck, fetchAllMessages, registerUser, startServer } from "./helpers";
import type { TestServer } from "./helpers";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000" });
});
afterAll(() => server.close());

describe("sends written together (group commit)", () => {
  it("stores one row for a clientId repeated inside one batch, and numbers the batch without gaps", async () => {
    const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    const conversationId = conversationIdFor(alice.user.id, bob.user.id);
    const [userA, userB] = conversationId.slice(3).split(":") as [string, string];
    const message = (senderId: string, clientId: string, body: string) => ({
      id: randomUUID().replaceAll("-", ""),
      conversationId,
      userA,
      userB,
      senderId,
      clientId,
      body,
      createdAt: new Date().toISOString(),
    });
    const retried = randomUUID();
    const results = await server.store.appendMessages([
      message(alice.user.id, retried, "first"),
      message(bob.user.id, randomUUID(), "from bob"),
      message(alice.user.id, retried, "the retry"),
      message(alice.user.id, randomUUID(), "third"),
    ]);
    expect(results.map((r) => [r.message.seq, r.message.body, r.created])).toEqual([
      [1, "first", true],
      [2, "from bob", true],
      [1, "first", false],
      [3, "third", true],
    ]);
    expect(results[2]!.message.id).toBe(results[0]!.message.id);

    // A later batch finds the stored row, and continues the numbering.
    const again = await server.store.appendMessages([
      message(alice.user.id, retried, "late retry"),
      message(bob.user.id, randomUUID(), "fourth"),
    ]);
    expect(again.map((r) => [r.message.seq, r.created])).toEqual([
      [1, false],
      [4, true],
    ]);
    const history = await fetchAllMessages(server.url, alice.token, bob.user.id);
    expect(history.map((m) => m.body)).toEqual(["first", "from bob", "third", "fourth"]);
  });

  it("writes a batch of the largest size in one go, across conversations", async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => registerUser(server)));
    const pairs = [
      [users[0]!, users[1]!],
      [users[2]!, users[3]!],
    ] as const;
    const batch = Array.from({ length: SEND_BATCH_MAX }, (_, i) => {
      const [from, to] = pairs[i % 2]!;
      const conversationId = conversationIdFor(from.user.id, to.user.id);
      const [userA, userB] = conversationId.slice(3).split(":") as [string, string];
      return {
        id: newMessageId(),
        conversationId,
        userA,
        userB,
        senderId: i % 4 < 2 ? from.user.id : to.user.id,
        clientId: randomUUID(),
        body: `message ${i}`,
        createdAt: new Date().toISOString(),
      };
    });
    const results = await server.store.appendMessages(batch);
    expect(results.every((r) => r.created)).toBe(true);
    // Each conversation numbered from 1 without gaps, in batch order.
    expect(results.filter((_, i) => i % 2 === 0).map((r) => r.message.seq)).toEqual(
      Array.from({ length: SEND_BATCH_MAX / 2 }, (_, i) => i + 1),
    );
    const history = await fetchAllMessages(server.url, users[0]!.token, users[1]!.user.id);
    expect(history.map((m) => m.body)).toEqual(batch.filter((_, i) => i % 2 === 0).map((m) => m.body));
  });

  it("acks each of many concurrent sends and retries once, and broadcasts them in seq order", async () => {
    const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    const senders = await Promise.all(Array.from({ length: 4 }, () => connectClient(server, alice.token)));
    const receiver = await connectClient(server, bob.token);
    const arrived = collect(receiver, "message:new");
    const clientIds = Array.from({ length: 40 }, () => randomUUID());

    // Each clientId is sent from two sockets at once, so retries land in the same batch as the original.
    const acks = await Promise.all(
      clientIds.flatMap((clientId, i) =>
        [senders[i % 4]!, senders[(i + 1) % 4]!].map((socket) =>
          emitAck(socket, "message:send", { peerId: bob.user.id, clientId, body: `m ${i}` }),
        ),
      ),
    );
    const acked = acks.map((ack) => {
      if (!ack.ok) throw new Error(ack.error.message);
      return ack.message;
    });
    for (let i = 0; i < clientIds.length; i++) expect(acked[2 * i]!.id).toBe(acked[2 * i + 1]!.id);

    const history = await fetchAllMessages(server.url, bob.token, alice.user.id);
    expect(history.map((m) => m.seq)).toEqual(clientIds.map((_, i) => i + 1));
    expect(new Set(history.map((m) => m.clientId))).toEqual(new Set(clientIds));

    // Every message was acked after its commit, so all broadcasts have left; wait for the last to arrive.
    await new Promise<void>((resolve) => {
      const check = () => (arrived.length >= clientIds.length ? resolve() : receiver.once("message:new", check));
      check();
    });
    expect(arrived.map((m: Message) => m.seq)).toEqual(history.map((m) => m.seq));
  });
});
