import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io as connect } from "socket.io-client";
import { afterAll, describe, expect, it } from "vitest";
import type { AuthResponse, HistoryResponse, Message } from "../../shared/protocol";
import { killServerProcesses, startServerProcess } from "./helpers";
import type { ClientSocket } from "./helpers";

let dataDir = "";

afterAll(async () => {
  await killServerProcesses();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await res.json()) as T;
}

describe("the server process", () => {
  it("loses no acked message to kill -9, and exits 0 on SIGTERM", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "parley-crash-"));
    const first = await startServerProcess(dataDir);
    const alice = await post<AuthResponse>(`${first.url}/api/auth/register`, {
      username: "alice",
      password: "password-123",
    });
    const bob = await post<AuthResponse>(`${first.url}/api/auth/register`, {
      username: "bob",
      password: "password-123",
    });
    const socket: ClientSocket = connect(first.url, {
      auth: { token: alice.token },
      transports: ["websocket"],
      reconnection: false,
    });

    const acked: Message[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await socket
        .timeout(5000)
        .emitWithAck("message:send", { peerId: bob.user.id, clientId: `crash-test-${i}`, body: `m${i}` });
      if (res.ok) acked.push(res.message);
    }
    first.child.kill("SIGKILL");
    await first.exited;
    socket.disconnect();

    const second = await startServerProcess(dataDir);
    const res = await fetch(`${second.url}/api/conversations/${alice.user.id}/messages?afterSeq=0`, {
      headers: { authorization: `Bearer ${bob.token}` },
    });
    const history = (await res.json()) as HistoryResponse;
    expect(acked).toHaveLength(20);
    expect(history.messages).toEqual(acked);
    // SIGTERM shuts down gracefully, closing connections without a Socket.IO disconnect packet:
    // after "io server disconnect" socket.io-client would not reconnect to the next server by itself.
    const open: ClientSocket = connect(second.url, { auth: { token: bob.token }, transports: ["websocket"] });
    await new Promise<void>((resolve) => open.once("connect", () => resolve()));
    const reason = new Promise((resolve) => open.once("disconnect", resolve));
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(await reason).toBe("transport close");
    open.disconnect();
  });
});
