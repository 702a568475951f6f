import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PG_ROOT = "/usr/lib/postgresql";

/** The newest installed PostgreSQL's bin directory (Debian's layout), or PG_BIN; null when none is installed. */
export function findPostgresBin(): string | null {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  if (!existsSync(PG_ROOT)) return null;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => existsSync(join(PG_ROOT, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(PG_ROOT, versions[0], "bin") : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

type Owner = { uid?: number; gid?: number };

// PostgreSQL refuses to run as root: then its tools run as the `postgres` user.
function postgresOwner(): Owner {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

function exec(command: string, args: string[], owner: Owner): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const child = spawn(command, args, { ...owner, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${output}`)),
    );
  });
}

export type RunningPostgres = { url: string; port: number; dir: string; stop(): Promise<void> };

/**
 * A throwaway PostgreSQL: initdb in a temp directory, listening on 127.0.0.1 at a free port,
 * trust authentication for the `parley` superuser. Durability is off: it serves tests and
 * local clusters, whose data is thrown away with it.
 */
export async function startPostgres(bin: string): Promise<RunningPostgres> {
  const dir = await mkdtemp(join(tmpdir(), "parley-pg-"));
  const owner = postgresOwner();
  if (owner.uid !== undefined && owner.gid !== undefined) await chown(dir, owner.uid, owner.gid);
  const dataDir = join(dir, "data");
  await exec(
    join(bin, "initdb"),
    ["-D", dataDir, "-U", "parley", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
    owner,
  );
  const port = await freePort();
  const settings = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c max_connections=300",
  ].join(" ");
  await exec(
    join(bin, "pg_ctl"),
    ["-D", dataDir, "-o", settings, "-l", join(dir, "log"), "-w", "-t", "60", "start"],
    owner,
  );
  return {
    url: `postgres://parley@127.0.0.1:${port}/postgres`,
    port,
    dir,
    async stop() {
      await exec(join(bin, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"], owner).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
