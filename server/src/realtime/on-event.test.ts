import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import type { Logger } from "../logger";
import { countTurns } from "../lib/turn-counter.testing";
import { createTurns } from "../lib/turns";
import { createEventBinder } from "./on-event";
import type { ParleySocket } from "./types";

/** A connected socket of `userId` as far as the binder sees it: `emit` delivers an event to its listeners. */
function fakeSocket(userId: string, id: string) {
  return Object.assign(new EventEmitter(), { id, connected: true, data: { userId } });
}

const unlimited = { takeEventToken: () => ({ ok: true as const }), maxPending: 100 };

describe("createEventBinder", () => {
  it("starts one event of a user a turn across the user's sockets, with other users' events in between", async () => {
    const turns = countTurns();
    const takeTurn = createTurns();
    const started: Array<{ what: string; turn: number }> = [];
    const acked: Promise<unknown>[] = [];
    const sockets = [fakeSocket("a", "a-1"), fakeSocket("a", "a-2"), fakeSocket("b", "b-1")];
    for (const socket of sockets) {
      const events = createEventBinder(socket as unknown as ParleySocket, {
        logger: {} as Logger,
        recordAckLatency: () => undefined,
        limits: unlimited,
        takeTurn,
      });
      events.onAcked("conversation:leave", async (payload) => {
        started.push({ what: `${socket.id} ${String(payload)}`, turn: turns.turn() });
        return {};
      });
    }
    // Every event arrives in the same turn, as frames read together from the network.
    const emit = (socket: (typeof sockets)[number], payload: string) =>
      acked.push(new Promise((ack) => socket.emit("conversation:leave", payload, ack)));
    emit(sockets[0]!, "1");
    emit(sockets[0]!, "2");
    emit(sockets[1]!, "1");
    emit(sockets[2]!, "1");
    await Promise.all(acked);
    turns.stop();

    const turnOf = (what: string) => started.find((s) => s.what === what)!.turn;
    expect(turnOf("b-1 1")).toBe(turnOf("a-1 1"));
    const userATurns = ["a-1 1", "a-1 2", "a-2 1"].map(turnOf);
    expect(new Set(userATurns).size).toBe(3);
    expect(started).toHaveLength(4);
  });
});
