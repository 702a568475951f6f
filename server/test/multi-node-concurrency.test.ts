import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationIdFor } from "../../shared/protocol";
import type { Message } from "../../shared/protocol";
import { findRedisServer, startRedis } from "../../scripts/redis";
import type { RunningRedis } from "../../scripts/redis";
import { collect, connectClient, emitAck, newClientId, registerUser, startServer } from "./helpers";
import type { ClientSocket, TestServer, TestUser } from "./helpers";

// Many clients on several nodes at once, racing each other through different nodes on one
// PostgreSQL and one Redis: the guarantees that live in the database must hold whatever the order.
const redisServer = findRedisServer();
if (!redisServer && process.env.CI === "true") throw new Error("redis-server is not installed");
const NODES = 4;
const CLIENTS_PER_NODE = 25;
const PAIRS = 5;
const SENDS_PER_CLIENT = 2;
// Every RETRY_EVERY-th send is sent again, at the same time, with its clientId through another node.
const RETRY_EVERY = 2;
const EDIT_DELETE_RACES_PER_PAIR = 8;
const RECEIPTS_PER_PAIR = 24;
// Each node handles one conversation's sends one at a time, and this machine may be busy: acks can be slow.
const ACK_TIMEOUT_MS = 20_000;

let redis: RunningRedis;
let nodes: TestServer[] = [];

beforeAll(async () => {
  redis = await startRedis(redisServer!);
  const env = {
    REDIS_URL: redis.url,
    SEND_RATE_BURST: "100000",
    EVENT_RATE_BURST: "100000",
    EVENT_RATE_PER_SEC: "100000",
  };
  const first = await startServer(env);
  const others = Array.from({ length: NODES - 1 }, () =>
    startServer({ ...env, DATABASE_URL: first.config.databaseUrl! }),
  );
  nodes = [first, ...(await Promise.all(others))];
});

afterAll(async () => {
  for (const node of nodes) await node.close();
  await redis?.stop();
});

type Pair = { sender: TestUser; peer: TestUser; conversationId: string };
/** A client: a socket of `user` on node `node`. */
type Client = { user: TestUser; node: number; socket: ClientSocket };

function isAscendingRun(values: number[]): boolean {
  return values.every((value, i) => i === 0 || value >= values[i - 1]!);
}

describe.skipIf(!redisServer)(`${NODES} nodes × ${CLIENTS_PER_NODE} clients racing in the same conversations`, () => {
  it("keeps seq gapless and unique, one row per clientId, deleted messages deleted, watermarks monotonic", async () => {
    const started = Date.now();
    const pairs: Pair[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const [sender, peer] = await Promise.all([registerUser(nodes[0]!), registerUser(nodes[1]!)]);
      pairs.push({ sender, peer, conversationId: conversationIdFor(sender.user.id, peer.user.id) });
    }
    const users = pairs.flatMap((pair) => [pair.sender, pair.peer]);
    const peerOf = new Map(
      pairs.flatMap((p) => [[p.sender.user.id, p.peer] as const, [p.peer.user.id, p.sender] as const]),
    );
    // Client k of node n belongs to user (n * CLIENTS_PER_NODE + k) mod users: every user has tabs on every node.
    const clients: Client[] = await Promise.all(
      Array.from({ length: NODES * CLIENTS_PER_NODE }, async (_, i) => {
        const node = Math.floor(i / CLIENTS_PER_NODE);
        const user = users[i % users.length]!;
        return { user, node, socket: await connectClient(nodes[node]!, user.token) };
      }),
    );
    const clientsOf = (user: TestUser) => clients.filter((c) => c.user.user.id === user.user.id);
    /** A client of `user` on another node than `other`. */
    const elsewhere = (user: TestUser, other: Client) => clientsOf(user).find((c) => c.node !== other.node)!;

    // 1. Everyone sends at once; some sends are retried at the same moment through another node.
    const acked = new Map<string, Message>();
    let retries = 0;
    await Promise.all(
      clients.map(async (client, c) => {
        const peerId = peerOf.get(client.user.user.id)!.user.id;
        for (let s = 0; s < SENDS_PER_CLIENT; s++) {
          const clientId = newClientId();
          const payload = { peerId, clientId, body: `client ${c} message ${s}` };
          const via = (c + s) % RETRY_EVERY === 0 ? [client, elsewhere(client.user, client)] : [client];
          retries += via.length - 1;
          const acks = await Promise.all(via.map((v) => emitAck(v.socket, "message:send", payload, ACK_TIMEOUT_MS)));
          const messages = acks.map((ack) => {
            if (!ack.ok) throw new Error(`send failed: ${ack.error.code}`);
            return ack.message;
          });
          // The retry through another node returns the one stored message.
          for (const message of messages) expect(message).toEqual(messages[0]);
          acked.set(clientId, messages[0]!);
        }
      }),
    );

    const stored = new Map<string, Message[]>();
    for (const { conversationId } of pairs) {
      const { messages } = await nodes[0]!.store.listMessages(conversationId, { afterSeq: 0, limit: 10_000 });
      stored.set(conversationId, messages);
      expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
    }
    const all = [...stored.values()].flat();
    expect(all).toHaveLength(clients.length * SENDS_PER_CLIENT);
    expect(new Set(all.map((m) => `${m.senderId} ${m.clientId}`)).size).toBe(all.length);
    for (const message of all) expect(acked.get(message.clientId)).toMatchObject({ id: message.id, seq: message.seq });

    // 2. Edits racing deletes of the same message, each through another node; a peer's tab watches.
    const updatesSeen = new Map<string, Message[]>();
    const races = pairs.flatMap((pair) => {
      const watcher = clientsOf(pair.peer)[0]!;
      const seen = collect(watcher.socket, "message:updated");
      updatesSeen.set(pair.conversationId, seen);
      const own = stored.get(pair.conversationId)!.filter((m) => m.senderId === pair.sender.user.id);
      const [first, ...rest] = clientsOf(pair.sender);
      return own.slice(0, EDIT_DELETE_RACES_PER_PAIR).map((message, i) => {
        const editor = i % 2 === 0 ? first! : elsewhere(pair.sender, first!);
        const deleter = elsewhere(pair.sender, editor);
        expect(rest.length).toBeGreaterThan(0);
        return Promise.all([
          emitAck(editor.socket, "message:edit", { messageId: message.id, body: `edited ${i}` }, ACK_TIMEOUT_MS),
          emitAck(deleter.socket, "message:delete", { messageId: message.id }, ACK_TIMEOUT_MS),
        ]).then(([edit, del]) => ({ message, edit, del }));
      });
    });
    const outcomes = await Promise.all(races);
    for (const { message, edit, del } of outcomes) {
      if (!del.ok) throw new Error(`delete failed: ${del.error.code}`);
      expect(del.message).toMatchObject({ id: message.id, body: "", deletedAt: expect.any(String) });
      // An edit that won is older than the delete; one that lost changed nothing.
      if (edit.ok) expect(edit.message.rev).toBeLessThan(del.message.rev);
      else expect(edit.error.code).toBe("VALIDATION");
      expect(await nodes[2]!.store.findMessageById(message.id)).toMatchObject({
        body: "",
        deletedAt: del.message.deletedAt,
        rev: del.message.rev,
      });
    }
    // As delivered: the newest copy a watcher holds of every raced message is the tombstone.
    const newestDelivered = (id: string, seen: Message[]) =>
      seen.filter((m) => m.id === id).reduce<Message | undefined>((a, m) => (a && a.rev > m.rev ? a : m), undefined);
    await expect
      .poll(() =>
        outcomes.every(({ message, del }) => {
          const newest = newestDelivered(message.id, updatesSeen.get(message.conversationId)!);
          return del.ok && newest?.rev === del.message.rev;
        }),
      )
      .toBe(true);
    for (const { message } of outcomes) {
      const newest = newestDelivered(message.id, updatesSeen.get(message.conversationId)!);
      expect(newest).toMatchObject({ body: "", deletedAt: expect.any(String) });
    }

    // 3. Receipts racing through every node, in shuffled order; the database is sampled meanwhile.
    const receiptsSeen = new Map(
      pairs.map((pair) => [pair.conversationId, collect(clientsOf(pair.sender)[0]!.socket, "receipt")]),
    );
    const sampled = new Map<string, number[]>(pairs.map((pair) => [pair.conversationId, []]));
    let racing = true;
    const sampler = (async () => {
      while (racing) {
        for (const pair of pairs) {
          const state = await nodes[3]!.store.getConversationState(
            pair.conversationId,
            pair.peer.user.id,
            pair.sender.user.id,
          );
          sampled.get(pair.conversationId)!.push(state.mine.readSeq);
        }
      }
    })();
    const sent = new Map<string, number[]>(pairs.map((pair) => [pair.conversationId, []]));
    await Promise.all(
      pairs.flatMap((pair) => {
        const lastSeq = stored.get(pair.conversationId)!.length;
        const readers = clientsOf(pair.peer);
        return Array.from({ length: RECEIPTS_PER_PAIR }, (_, r) => {
          // A spread of watermarks, higher and lower, each from a tab on some node.
          const readSeq = Math.round(((r * 7) % RECEIPTS_PER_PAIR) * (lastSeq / (RECEIPTS_PER_PAIR - 1)));
          sent.get(pair.conversationId)!.push(readSeq);
          return emitAck(
            readers[r % readers.length]!.socket,
            "conversation:receipt",
            {
              peerId: pair.sender.user.id,
              readSeq,
            },
            ACK_TIMEOUT_MS,
          );
        });
      }),
    );
    racing = false;
    await sampler;
    let receiptsOutOfOrder = 0;
    for (const pair of pairs) {
      const lastSeq = stored.get(pair.conversationId)!.length;
      const final = await nodes[0]!.store.getConversationState(
        pair.conversationId,
        pair.peer.user.id,
        pair.sender.user.id,
      );
      expect(final.mine).toEqual({ deliveredSeq: lastSeq, readSeq: lastSeq });
      expect(isAscendingRun(sampled.get(pair.conversationId)!)).toBe(true);
      // Receipt events through different nodes can arrive in either order (each node publishes after its
      // own commit); every one carries watermarks the database held, and a client keeps the highest.
      const seen = receiptsSeen.get(pair.conversationId)!;
      await expect.poll(() => seen.some((r) => r.readSeq === lastSeq)).toBe(true);
      for (const event of seen) {
        expect(sent.get(pair.conversationId)).toContain(event.readSeq);
        expect(event.deliveredSeq).toBeGreaterThanOrEqual(event.readSeq);
      }
      expect(new Set(seen.map((r) => r.readSeq)).size).toBe(seen.length);
      receiptsOutOfOrder += seen.filter((r, i) => i > 0 && r.readSeq < seen[i - 1]!.readSeq).length;
    }

    console.log(
      `concurrency: ${NODES} nodes, ${clients.length} clients, ${all.length} messages (${retries} retried through ` +
        `another node), ${outcomes.length} edit/delete races (${outcomes.filter((o) => o.edit.ok).length} edits ` +
        `first), ${PAIRS * RECEIPTS_PER_PAIR} receipts (${receiptsOutOfOrder} ` +
        `receipt events arrived after a higher one) in ${Date.now() - started} ms`,
    );
  });
});
