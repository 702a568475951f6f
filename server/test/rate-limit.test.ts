import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, emitAck, newClientId, rawEmitAck, registerUser, startServer } from "./helpers";
import type { TestServer } from "./helpers";

let server: TestServer;
beforeAll(async () => {
  // A burst of 3 and a slow refill, so the limit is reached at once and stays reached during the test.
  server = await startServer({ SEND_RATE_BURST: "3", SEND_RATE_PER_SEC: "1" });
});
afterAll(() => server.close());

describe("message:send rate limit", () => {
  it("answers RATE_LIMITED with retryAfterMs over the burst, but a retry of a stored clientId still returns the original", async () => {
    const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    const socket = await connectClient(server, alice.token);
    const send = (clientId: string) => emitAck(socket, "message:send", { peerId: bob.user.id, clientId, body: "hi" });

    const firstId = newClientId();
    const first = await send(firstId);
    expect(first.ok).toBe(true);
    expect((await send(newClientId())).ok).toBe(true);
    expect((await send(newClientId())).ok).toBe(true);

    const limited = await send(newClientId());
    expect(limited).toMatchObject({ ok: false, error: { code: "RATE_LIMITED", retryAfterMs: expect.any(Number) } });
    expect(!limited.ok && limited.error.retryAfterMs).toBeGreaterThan(0);
    expect(!limited.ok && limited.error.retryAfterMs).toBeLessThanOrEqual(1000);

    const retry = await send(firstId);
    expect(retry).toEqual(first);

    // The limit is per user: another sender is unaffected, also from a fresh socket.
    const bobSocket = await connectClient(server, bob.token);
    expect(
      (await emitAck(bobSocket, "message:send", { peerId: alice.user.id, clientId: newClientId(), body: "hey" })).ok,
    ).toBe(true);
  });

  it("charges nothing for a retry of a stored clientId under the limit either", async () => {
    const [erin, finn] = await Promise.all([registerUser(server), registerUser(server)]);
    const socket = await connectClient(server, erin.token);
    const send = (clientId: string) => emitAck(socket, "message:send", { peerId: finn.user.id, clientId, body: "hi" });

    const firstId = newClientId();
    const first = await send(firstId);
    expect(await send(firstId)).toEqual(first);
    expect(await send(firstId)).toEqual(first);
    // The burst of 3 still holds two more sends after the first.
    expect((await send(newClientId())).ok).toBe(true);
    expect((await send(newClientId())).ok).toBe(true);
    expect(await send(newClientId())).toMatchObject({ ok: false, error: { code: "RATE_LIMITED" } });
  });

  it("charges malformed attempts too", async () => {
    const [carol, dave] = await Promise.all([registerUser(server), registerUser(server)]);
    const socket = await connectClient(server, carol.token);
    for (let i = 0; i < 3; i++) {
      expect(
        await rawEmitAck(socket, "message:send", { peerId: dave.user.id, clientId: newClientId(), body: "" }),
      ).toMatchObject({
        error: { code: "VALIDATION" },
      });
    }
    const next = await emitAck(socket, "message:send", {
      peerId: dave.user.id,
      clientId: newClientId(),
      body: "valid",
    });
    expect(next).toMatchObject({ ok: false, error: { code: "RATE_LIMITED" } });
  });
});
