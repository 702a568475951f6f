import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connectClient, killServerProcesses, registerUser, startServerProcess } from "./helpers";

let dataDir = "";

afterAll(async () => {
  await killServerProcesses();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("the production build", () => {
  it("compiles the server into one file that plain node runs: health, sign-up and a socket", async () => {
    execFileSync("npm", ["run", "--silent", "build:server"], { stdio: "inherit" });
    dataDir = await mkdtemp(join(tmpdir(), "parley-built-"));
    const server = await startServerProcess(dataDir, 0, { NODE_ENV: "production" }, { built: true });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const user = await registerUser({ url: server.url });
    const socket = await connectClient(server, user.token);
    expect(socket.connected).toBe(true);
    socket.disconnect();
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });
});
