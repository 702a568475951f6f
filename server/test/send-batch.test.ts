import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationIdFor } from "../../shared/protocol";
import type { Message } from "../../shared/protocol";
import { SEND_BATCH_MAX } from "../src/chat/messages";
import { newMessageId } from "../src/lib/ids";
import {
  collect,
  connectClient,
  emitAck,
  executeSql,
  fetchAllMessages,
  newClientId,
  registerUser,
  startServer,
} from "./helpers";
import type { ClientSocket, TestServer } from "./helpers";
import { createGroup, newUsers, readHistory } from "./group-helpers";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000" });
  await refuseBody(REFUSED);
});
afterAll(() => server.close());

/** A body the database refuses, as it would a row it cannot store: a trigger installed beside the server. */
const REFUSED = "the database refuses this one";

async function refuseBody(body: string): Promise<void> {
  if (server.config.databaseUrl) {
    await executeSql(
      server,
      `create function refuse_body() returns trigger language plpgsql as $$ begin
         if new.body = '${body}' then raise exception 'refused' using errcode = 'check_violation'; end if;
         return new;
       end $$`,
      [],
    );
    await executeSql(
      server,
      "create trigger refuse_body before insert on messages for each row execute function refuse_body()",
      [],
    );
  } else {
    await executeSql(
      server,
      `create trigger refuse_body before insert on messages when new.body = '${body}' begin select raise(abort, 'refused'); end`,
      [],
    );
  }
}

/** `bodies` sent from `socket` at once to `to` (a peer's id or a group's conversation), their acks in order. */
const burst = (socket: ClientSocket, to: { peerId: string } | { conversationId: string }, bodies: string[]) =>
  Promise.all(bodies.map((body) => emitAck(socket, "message:send", { ...to, clientId: newClientId(), body })));

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

  it("fails only a send the database refuses, not the others written in its batch (DMs and a group)", async () => {
    const [alice, bob, carol] = await newUsers(server, 3);
    const group = await createGroup(server, alice!, [bob!, carol!]);
    // A socket's events are handled one at a time, so a batch holds one send of each socket at most:
    // several sockets send at once, and only the first socket of each burst sends the refused body.
    const sockets = (user: typeof alice, count: number) =>
      Promise.all(Array.from({ length: count }, () => connectClient(server, user!.token)));
    const [ofAlice, ofBob, ofCarol] = await Promise.all([sockets(alice, 3), sockets(bob, 2), sockets(carol, 3)]);
    const bodies = (who: string, socket: number) =>
      Array.from({ length: 6 }, (_, i) => (socket === 0 && i === 2 ? REFUSED : `${who}${socket} ${i}`));
    const sends = (from: ClientSocket[], who: string, to: { peerId: string } | { conversationId: string }) =>
      from.map((socket, n) => ({
        who: `${who}${n} `,
        bodies: bodies(who, n),
        acks: burst(socket, to, bodies(who, n)),
      }));
    const dmSends = [
      ...sends(ofAlice, "alice", { peerId: bob!.user.id }),
      ...sends(ofBob, "bob", { peerId: alice!.user.id }),
    ];
    const groupSends = sends(ofCarol, "carol", { conversationId: group.conversationId });

    const all = [...dmSends, ...groupSends];
    const answers = await Promise.all(all.map(async ({ acks }) => await acks));
    expect(answers.map((acks) => acks.map((ack) => (ack.ok ? ack.message.body : ack.error.code)))).toEqual(
      all.map(({ bodies: sent }) => sent.map((body) => (body === REFUSED ? "INTERNAL" : body))),
    );
    // What was stored is numbered without a gap, each socket's sends in their order, the refused ones nowhere.
    const storedOf = (messages: Message[], who: string) =>
      messages.filter((m) => m.body.startsWith(who)).map((m) => m.body);
    const dm = await fetchAllMessages(server.url, alice!.token, bob!.user.id);
    expect(dm.map((m) => m.seq)).toEqual(Array.from({ length: 5 * 6 - 2 }, (_, i) => i + 1));
    for (const { who, bodies: sent } of dmSends) expect(storedOf(dm, who)).toEqual(sent.filter((b) => b !== REFUSED));
    const inGroup = (await readHistory(server, carol!, group)).messages.filter((m) => m.kind !== "system");
    for (const { who, bodies: sent } of groupSends) {
      expect(storedOf(inGroup, who)).toEqual(sent.filter((b) => b !== REFUSED));
    }
    const seqs = inGroup.map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: 3 * 6 - 1 }, (_, i) => seqs[0]! + i));
  });
});
