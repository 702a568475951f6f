import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HistoryResponse } from "../../shared/protocol";
import {
  connectClient,
  emitAck,
  http,
  messageBarrier,
  newClientId,
  rawEmit,
  rawEmitAck,
  registerUser,
  startServer,
} from "./helpers";
import type { ClientSocket, TestServer, TestUser } from "./helpers";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let socket: ClientSocket;

beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000" });
  [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
  socket = await connectClient(server, alice.token);
});
afterAll(() => server.close());

async function storedCount(): Promise<number> {
  const res = await http<HistoryResponse>(server, "GET", `/api/conversations/${bob.user.id}/messages?afterSeq=0`, {
    token: alice.token,
  });
  return res.body.messages.length;
}

describe("malformed socket payloads get VALIDATION and change nothing", () => {
  const validBody = { clientId: "client-id-0001", body: "hi" };
  it.each([
    ["an empty body", { body: "" }],
    ["a whitespace-only body", { body: " \n\t " }],
    ["a body of 4001 code points", { body: "😀".repeat(4001) }],
    ["a control character", { body: "bell\u0007" }],
    ["a NUL character", { body: "a\u0000b" }],
    ["a non-string body", { body: 42 }],
    ["a short clientId", { clientId: "short" }],
    ["a clientId with ':'", { clientId: "client:id:0001" }],
    ["a missing clientId", { clientId: undefined }],
    ["a malformed peerId", { peerId: "a b" }],
  ])("message:send with %s", async (_case, override) => {
    const payload = { peerId: bob.user.id, ...validBody, ...override };
    const res = await rawEmitAck(socket, "message:send", payload);
    expect(res).toMatchObject({ ok: false, error: { code: "VALIDATION", message: expect.any(String) } });
    expect(await storedCount()).toBe(0);
  });

  it.each([
    ["a string", "hello"],
    ["null", null],
    ["an array", [1, 2]],
    ["a number", 7],
  ])("message:send with %s as payload", async (_case, payload) => {
    expect(await rawEmitAck(socket, "message:send", payload)).toMatchObject({
      ok: false,
      error: { code: "VALIDATION" },
    });
  });

  it("answers an ack-only emit (no payload) with VALIDATION", async () => {
    expect(await rawEmitAck(socket, "message:send")).toMatchObject({ ok: false, error: { code: "VALIDATION" } });
  });

  it("answers NOT_FOUND for an unknown peer, storing nothing", async () => {
    expect(
      await emitAck(socket, "message:send", { peerId: "nobody", clientId: newClientId(), body: "hi" }),
    ).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
  });

  it("drops a send without an ack callback, storing nothing and staying up", async () => {
    rawEmit(socket, "message:send", { peerId: bob.user.id, clientId: newClientId(), body: "no ack" });
    const bobSocket = await connectClient(server, bob.token);
    await messageBarrier(socket, bob.user.id, [bobSocket]);
    expect(await storedCount()).toBe(1);
    expect(socket.connected).toBe(true);
  });

  it("answers VALIDATION for malformed payloads of every acked event", async () => {
    for (const [event, payload] of [
      ["conversation:join", { peerId: 5 }],
      ["conversation:leave", {}],
      ["message:edit", { messageId: "x", body: "" }],
      ["message:delete", { messageId: "" }],
      ["conversation:receipt", { peerId: bob.user.id }],
      ["conversation:receipt", { peerId: bob.user.id, readSeq: 1.5 }],
    ] as const) {
      expect(await rawEmitAck(socket, event, payload), event).toMatchObject({
        ok: false,
        error: { code: "VALIDATION" },
      });
    }
  });
});

describe("socket payload size", () => {
  it("closes a connection that sends more than 64 KiB, storing nothing", async () => {
    const big = await connectClient(server, alice.token);
    const closed = new Promise<string>((resolve) => big.once("disconnect", resolve));
    const clientId = newClientId();
    rawEmit(big, "message:send", { peerId: bob.user.id, clientId, body: "x".repeat(70 * 1024) }, () => undefined);
    expect(await closed).toMatch(/close/);
    await messageBarrier(socket, bob.user.id, [socket]);
    const res = await http<HistoryResponse>(server, "GET", `/api/conversations/${bob.user.id}/messages?afterSeq=0`, {
      token: alice.token,
    });
    expect(res.body.messages.map((m) => m.clientId)).not.toContain(clientId);
  });
});

describe("HTTP bodies", () => {
  it("answers 413 VALIDATION for a body over 64 KiB", async () => {
    const res = await http(server, "POST", "/api/auth/register", {
      rawBody: JSON.stringify({ username: "x".repeat(70 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: "VALIDATION", message: expect.any(String) } });
  });

  it("answers 400 VALIDATION for malformed JSON", async () => {
    const res = await http(server, "POST", "/api/auth/login", { rawBody: "{not json" });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "VALIDATION", message: expect.any(String) } });
  });
});
