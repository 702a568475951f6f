import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { io as connect } from "socket.io-client";
import { expect } from "vitest";
import { highestContiguousSeq } from "../../client/src/features/chat/reconcile";
import { EVENTS, LIMITS, conversationIdFor, peerOf } from "../../shared/protocol";
import type { ConversationRef } from "../../shared/protocol";
import type { HistoryResponse, Message } from "../../shared/protocol";
import type { ClientSocket } from "./helpers";

/** What a reliable client did, for the assertions and the summary line. */
export type ReliableStats = {
  /** Distinct messages (clientIds) created. */
  sent: number;
  acked: number;
  /** Emits of a clientId after its first one (ack timeout, lost connection). */
  retries: number;
  /** Deliveries (broadcast, join page, HTTP page) of an id already delivered; the ack of one's own send is no delivery. */
  duplicatesDropped: number;
  /** A broadcast with a seq not above the previous broadcast's in the same conversation and connection. */
  outOfOrder: number;
  /** A message:new for an id already broadcast to this client (on any connection): the server broadcasts each once. */
  repeatedBroadcasts: number;
  /** A different message id arriving with a seq already held. */
  seqConflicts: number;
  connects: number;
  /** Disconnects by their reason ("io server disconnect", "transport close", …). */
  disconnects: Record<string, number>;
  /** Pages fetched over HTTP because a join had more than it returns, or to fill a gap in seq. */
  httpPages: number;
  /** Broadcasts that left a hole below them, filled from history as the browser client does. */
  gapFills: number;
};

type Pending = { peerId: string; clientId: string; body: string; inFlight: boolean; attempts: number };

export type ReliableClientOptions = {
  url: string;
  token: string;
  selfId: string;
  /** The conversations this client keeps in sync (joined on every connect): a peer's id, or a group's conversation id. */
  peerIds: string[];
  ackTimeoutMs?: number;
  /** socket.io-client's transports; the browser client uses the default (long-polling, then an upgrade). */
  transports?: ("polling" | "websocket")[];
  /** HTTP headers on the socket's requests, such as the cookie a proxy routes on. */
  headers?: Record<string, string>;
  /** Reconnect after socket.io's default delays (1 s ± 50 %, doubling to 5 s), as the browser client does, not at once. */
  browserReconnection?: boolean;
};

/** A payload's ref for a conversation named by a peer id or by a conversation id (which has a ':', an id never). */
function refOf(peerOrConversation: string): ConversationRef {
  return peerOrConversation.includes(":") ? { conversationId: peerOrConversation } : { peerId: peerOrConversation };
}

/**
 * Where to rejoin: after the last seq held without a hole, counted from seq 1
 * (a view that does not start at 1 asks for everything again).
 */
function catchUpCursor(seqs: readonly number[]): number {
  return seqs[0] === 1 ? (highestContiguousSeq(seqs) ?? 0) : 0;
}

/**
 * A socket.io-client that behaves like the Parley client where delivery is
 * concerned: sends wait in an outbox until acked and are retried with the same
 * clientId (ack timeout, lost connection); every (re)connect joins each
 * conversation after the highest contiguous seq held, fetches the rest over
 * HTTP when the join has more, then resends the outbox; arrivals are deduped
 * by id. Socket.IO reconnects by itself after a transport close; after a
 * server-side disconnect it does not, so this client reconnects explicitly.
 */
export function createReliableClient(options: ReliableClientOptions) {
  const {
    url,
    token,
    selfId,
    peerIds,
    ackTimeoutMs = 3000,
    transports = ["websocket"],
    headers,
    browserReconnection = false,
  } = options;
  const changes = new EventEmitter();
  const conversationOf = (peerOrConversation: string) =>
    peerOrConversation.includes(":") ? peerOrConversation : conversationIdFor(selfId, peerOrConversation);
  const views = new Map<string, Map<number, Message>>(peerIds.map((p) => [conversationOf(p), new Map()]));
  const ids = new Set<string>();
  const delivered = new Set<string>();
  const broadcast = new Set<string>();
  const outbox = new Map<string, Pending>();
  const settle = new Map<string, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  const acked = new Map<string, Message>();
  const stats: ReliableStats = {
    sent: 0,
    acked: 0,
    retries: 0,
    duplicatesDropped: 0,
    outOfOrder: 0,
    repeatedBroadcasts: 0,
    seqConflicts: 0,
    connects: 0,
    disconnects: {},
    httpPages: 0,
    gapFills: 0,
  };
  /** Bumped on every connect, so answers meant for an earlier connection are ignored. */
  let generation = 0;
  let ready = false;
  let closed = false;
  const lastBroadcastSeq = new Map<string, number>();

  const socket: ClientSocket = connect(url, {
    auth: { token },
    transports,
    extraHeaders: headers,
    forceNew: true,
    ...(!browserReconnection && { reconnectionDelay: 50, reconnectionDelayMax: 300 }),
  });

  function receive(message: Message, via: "delivery" | "ack" = "delivery"): void {
    const view = views.get(message.conversationId);
    if (!view) return;
    if (via === "delivery") {
      if (delivered.has(message.id)) stats.duplicatesDropped++;
      delivered.add(message.id);
    }
    if (ids.has(message.id)) return;
    const held = view.get(message.seq);
    if (held) {
      stats.seqConflicts++;
      return;
    }
    ids.add(message.id);
    view.set(message.seq, message);
    changes.emit("change");
  }

  function seqsOf(conversationId: string): number[] {
    return [...(views.get(conversationId)?.keys() ?? [])].sort((a, b) => a - b);
  }

  function emitSend(entry: Pending): void {
    if (!ready || entry.inFlight || closed) return;
    const sentIn = generation;
    entry.inFlight = true;
    if (entry.attempts++ > 0) stats.retries++;
    socket
      .timeout(ackTimeoutMs)
      .emit(EVENTS.send, { ...refOf(entry.peerId), clientId: entry.clientId, body: entry.body }, (error, response) => {
        entry.inFlight = false;
        if (!outbox.has(entry.clientId)) return;
        if (error) {
          // Timed out or the connection dropped: resend now if still connected, else after the next join.
          if (sentIn === generation) emitSend(entry);
          return;
        }
        if (response.ok) {
          outbox.delete(entry.clientId);
          stats.acked++;
          acked.set(entry.clientId, response.message);
          receive(response.message, "ack");
          settle.get(entry.clientId)?.resolve(response.message);
          settle.delete(entry.clientId);
          changes.emit("acked", response.message);
        } else if (response.error.code === "RATE_LIMITED") {
          setTimeout(() => emitSend(entry), response.error.retryAfterMs ?? 100);
        } else {
          outbox.delete(entry.clientId);
          settle.get(entry.clientId)?.reject(new Error(`send failed: ${response.error.code}`));
          settle.delete(entry.clientId);
        }
      });
  }

  async function fetchMissed(peerId: string, afterSeq: number, sentIn: number): Promise<void> {
    let cursor = afterSeq;
    while (sentIn === generation && !closed) {
      const res = await fetch(
        `${url}/api/conversations/${encodeURIComponent(peerId)}/messages?afterSeq=${cursor}&limit=${LIMITS.historyAfterMax}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      if (!res.ok) return;
      const page = (await res.json()) as HistoryResponse;
      stats.httpPages++;
      page.messages.forEach((m) => receive(m));
      const last = page.messages.at(-1);
      if (!page.hasMore || !last) return;
      cursor = last.seq;
    }
  }

  const fillingGap = new Set<string>();
  /**
   * A broadcast above a hole (a message committed on a node that died before broadcasting it, or
   * one sent through another node and still on its way) fetches the hole from history.
   */
  function fillGap(conversationId: string): void {
    const seqs = seqsOf(conversationId);
    const afterSeq = catchUpCursor(seqs);
    if (afterSeq >= (seqs.at(-1) ?? 0) || fillingGap.has(conversationId)) return;
    fillingGap.add(conversationId);
    stats.gapFills++;
    // On failure the next broadcast or join tries again.
    const ref = conversationId.startsWith("dm:") ? peerOf(conversationId, selfId) : conversationId;
    fetchMissed(ref, afterSeq, generation)
      .catch(() => {})
      .finally(() => fillingGap.delete(conversationId));
  }

  function join(peerId: string, sentIn: number): Promise<void> {
    const afterSeq = catchUpCursor(seqsOf(conversationOf(peerId)));
    return new Promise((resolve) => {
      socket.timeout(ackTimeoutMs).emit(EVENTS.join, { ...refOf(peerId), afterSeq }, (error, response) => {
        if (sentIn !== generation) return resolve();
        if (error) {
          // Timed out: ask again on this connection; a dropped one rejoins on its next connect.
          if (socket.connected) void join(peerId, sentIn).then(resolve);
          else resolve();
          return;
        }
        if (!response.ok) throw new Error(`join failed: ${response.error.code}`);
        response.messages.forEach((m) => receive(m));
        if (response.hasMore) {
          // On failure the next connect catches up again from the same point.
          fetchMissed(peerId, response.messages.at(-1)?.seq ?? afterSeq, sentIn).catch(() => {});
        }
        resolve();
      });
    });
  }

  socket.on("connect", () => {
    const sentIn = ++generation;
    stats.connects++;
    lastBroadcastSeq.clear();
    void Promise.all(peerIds.map((peerId) => join(peerId, sentIn))).then(() => {
      if (sentIn !== generation || !socket.connected) return;
      ready = true;
      // Same clientIds again: the server stores a message at most once.
      for (const entry of outbox.values()) emitSend(entry);
      changes.emit("ready");
    });
  });
  socket.on("disconnect", (reason) => {
    ready = false;
    generation++;
    stats.disconnects[reason] = (stats.disconnects[reason] ?? 0) + 1;
    // Socket.IO leaves a server-side disconnect to the application.
    if (reason === "io server disconnect" && !closed) setTimeout(() => socket.connect(), 0);
  });
  socket.on(EVENTS.messageNew, (message) => {
    const previous = lastBroadcastSeq.get(message.conversationId) ?? 0;
    if (message.seq <= previous) stats.outOfOrder++;
    lastBroadcastSeq.set(message.conversationId, message.seq);
    if (broadcast.has(message.id)) stats.repeatedBroadcasts++;
    broadcast.add(message.id);
    receive(message);
    fillGap(message.conversationId);
  });

  /** Resolves once `predicate` holds, re-checked on every change; fails after `timeoutMs`. */
  function until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting until ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        for (const event of ["change", "ready", "acked"]) changes.off(event, check);
      };
      for (const event of ["change", "ready", "acked"]) changes.on(event, check);
    });
  }

  return {
    socket,
    stats,
    outbox,
    acked,
    /** Queues a message; resolves with the stored message once acked, however many attempts it takes. */
    send(peerId: string, body: string): Promise<Message> {
      const clientId = randomUUID();
      const entry: Pending = { peerId, clientId, body, inFlight: false, attempts: 0 };
      outbox.set(clientId, entry);
      stats.sent++;
      const result = new Promise<Message>((resolve, reject) => settle.set(clientId, { resolve, reject }));
      emitSend(entry);
      return result;
    },
    /** Sends currently awaiting their ack. */
    inFlight: () => [...outbox.values()].filter((e) => e.inFlight).length,
    isReady: () => ready,
    /** Resolves when connected and every conversation is joined. */
    whenReady: (timeoutMs?: number) => until(() => ready, "ready", timeoutMs),
    until,
    /** A conversation's messages held, in seq order. */
    view(peerId: string): Message[] {
      const view = views.get(conversationOf(peerId)) ?? new Map<number, Message>();
      return [...view.values()].sort((a, b) => a.seq - b.seq);
    },
    close(): void {
      closed = true;
      socket.disconnect();
    },
    selfId,
    peerIds,
  };
}

export type ReliableClient = ReturnType<typeof createReliableClient>;

/**
 * Sends `count` messages from `client` to its peers in turn, `window` of them awaiting their acks at
 * once; each body names its sender and its place among the sends (`storm <name>.<n>`). `onAck` runs
 * after every ack.
 */
export async function sendStorm(
  client: ReliableClient,
  name: string | number,
  { count, window }: { count: number; window: number },
  onAck: () => void,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      await client.send(client.peerIds[n % client.peerIds.length]!, `storm ${name}.${n}`);
      onAck();
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
}

/**
 * Waits until every client holds as many messages of each of its conversations as are stored, then
 * asserts it holds exactly those: nothing missing, nothing twice, in seq order.
 * `stored` maps a conversation's id to its stored messages.
 */
export async function expectEveryClientHoldsWhatIsStored(
  clients: readonly ReliableClient[],
  stored: ReadonlyMap<string, Message[]>,
): Promise<void> {
  const storedWith = (client: ReliableClient, peerId: string) =>
    stored.get(peerId.includes(":") ? peerId : conversationIdFor(client.selfId, peerId)) ?? [];
  await Promise.all(
    clients.map((client, i) =>
      client.until(
        () => client.peerIds.every((peerId) => client.view(peerId).length === storedWith(client, peerId).length),
        `client ${i} caught up`,
      ),
    ),
  );
  for (const client of clients) {
    for (const peerId of client.peerIds) expect(client.view(peerId)).toEqual(storedWith(client, peerId));
  }
}
