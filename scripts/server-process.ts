// Runs the real server as a child process on a fresh temp database, for the
// screenshot and benchmark scripts (the same command `npm start` runs).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type ServerProcess = { baseURL: string; pid: number; stop(): Promise<void> };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * `nodeArgs` go before the script, e.g. `--cpu-prof` (written when the server exits on stop); `cwd`, another
 * checkout of the project to run instead of this one.
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
  cwd?: string,
): Promise<ServerProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "parley-script-"));
  const baseURL = `http://127.0.0.1:${port}`;
  const child = spawn("node", [...nodeArgs, "--import", "tsx", "server/src/index.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: "inherit",
    cwd,
  });
  // A child that could not be spawned (a missing cwd, say) reports an error and may never exit.
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", (error) => {
      spawnError = error;
      resolve();
    });
  });
  const stop = async () => {
    child.kill("SIGTERM");
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };

  for (let attempt = 0; attempt < 150; attempt++) {
    const healthy = await fetch(`${baseURL}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return { baseURL, pid: child.pid!, stop };
    if (child.exitCode !== null || spawnError) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error("the server did not become healthy", { cause: spawnError });
}
