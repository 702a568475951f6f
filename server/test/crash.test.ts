import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { io as connect } from "socket.io-client";
import { afterAll, describe, expect, it } from "vitest";
import type { AuthResponse, HistoryResponse, Message } from "../../shared/protocol";
import type { ClientSocket } from "./helpers";

const ENTRY = fileURLToPath(new URL("../src/index.ts", import.meta.url));
const children = new Set<ChildProcess>();
let dataDir = "";

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Starts `server/src/index.ts` as its own process and resolves with its URL from the start-up log. */
function startProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY], {
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "info",
      SCRYPT_LOG_N: "10",
      NODE_ENV: "test",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

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
    const first = await startProcess();
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
    await new Promise((resolve) => first.child.once("exit", resolve));
    socket.disconnect();

    const second = await startProcess();
    const res = await fetch(`${second.url}/api/conversations/${alice.user.id}/messages?afterSeq=0`, {
      headers: { authorization: `Bearer ${bob.token}` },
    });
    const history = (await res.json()) as HistoryResponse;
    expect(acked).toHaveLength(20);
    expect(history.messages).toEqual(acked);
    // SIGTERM shuts down gracefully.
    second.child.kill("SIGTERM");
    expect(await new Promise((resolve) => second.child.once("exit", resolve))).toBe(0);
  });
});
