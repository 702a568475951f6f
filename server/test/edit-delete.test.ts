import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HistoryResponse } from "../../shared/protocol";
import { connectClient, emitAck, http, registerUser, sendMessage, startServer, waitFor } from "./helpers";
import type { ClientSocket, TestServer, TestUser } from "./helpers";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let a: ClientSocket;
let b: ClientSocket;
let c: ClientSocket;

beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000" });
  [alice, bob, carol] = await Promise.all([registerUser(server), registerUser(server), registerUser(server)]);
  [a, b, c] = await Promise.all([
    connectClient(server, alice.token),
    connectClient(server, bob.token),
    connectClient(server, carol.token),
  ]);
});
afterAll(() => server.close());

describe("message:edit", () => {
  it("lets the sender edit, broadcasts message:updated, and stores the change", async () => {
    const original = await sendMessage(a, bob.user.id, "tpyo");
    const updated = waitFor(b, "message:updated");
    const res = await emitAck(a, "message:edit", { messageId: original.id, body: "  typo fixed " });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.message).toMatchObject({
      id: original.id,
      seq: original.seq,
      body: "typo fixed",
      editedAt: expect.any(String),
      deletedAt: null,
    });
    expect(await updated).toEqual(res.message);
    const history = await http<HistoryResponse>(server, "GET", `/api/conversations/${alice.user.id}/messages`, {
      token: bob.token,
    });
    expect(history.body.messages.find((m) => m.id === original.id)?.body).toBe("typo fixed");
  });

  it("is FORBIDDEN for the peer and NOT_FOUND for anyone else", async () => {
    const message = await sendMessage(a, bob.user.id, "mine");
    expect(await emitAck(b, "message:edit", { messageId: message.id, body: "hijack" })).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
    expect(await emitAck(c, "message:edit", { messageId: message.id, body: "hijack" })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
    expect(await emitAck(c, "message:delete", { messageId: message.id })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
    expect(await emitAck(a, "message:edit", { messageId: "no-such-message", body: "x" })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
  });
});

describe("message:delete", () => {
  it("leaves a tombstone, returns the same one when repeated, and refuses later edits", async () => {
    const message = await sendMessage(a, bob.user.id, "regret");
    expect(await emitAck(b, "message:delete", { messageId: message.id })).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });

    const updated = waitFor(b, "message:updated");
    const first = await emitAck(a, "message:delete", { messageId: message.id });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.message).toMatchObject({ id: message.id, seq: message.seq, body: "", deletedAt: expect.any(String) });
    expect(await updated).toEqual(first.message);

    expect(await emitAck(a, "message:delete", { messageId: message.id })).toEqual(first);
    expect(await emitAck(a, "message:edit", { messageId: message.id, body: "undo" })).toMatchObject({
      ok: false,
      error: { code: "VALIDATION" },
    });
    const history = await http<HistoryResponse>(server, "GET", `/api/conversations/${bob.user.id}/messages`, {
      token: alice.token,
    });
    expect(history.body.messages.find((m) => m.id === message.id)).toEqual(first.message);
  });
});
