import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import SQLite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { checkpointInWorker } from "./wal-checkpointer";
import type { HoldWrites } from "./wal-checkpointer";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function walDatabase() {
  const dir = mkdtempSync(join(tmpdir(), "parley-wal-"));
  dirs.push(dir);
  const file = join(dir, "test.db");
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.exec("create table t (body text)");
  return { sqlite, file };
}

// For the tests that never pass the bound.
const noHold: HoldWrites = (whileHeld) => whileHeld();

const fill = (sqlite: SQLite.Database) => {
  const insert = sqlite.prepare("insert into t (body) values (?)");
  for (let i = 0; i < 200; i++) insert.run("x".repeat(1000));
};

describe("checkpointInWorker", () => {
  it("turns the writer's own checkpoints off and moves committed pages into the database file from its thread", async () => {
    const { sqlite, file } = walDatabase();
    // Without the worker the writer's own checkpoint never runs this soon: 200 KB is under its 1000 pages.
    sqlite.pragma("wal_autocheckpoint = 100000");
    const sizeBefore = statSync(file).size;
    const checkpointer = checkpointInWorker(sqlite, file, 20, noHold);
    expect(sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    fill(sqlite);
    await expect.poll(() => statSync(file).size, { timeout: 5000 }).toBeGreaterThan(sizeBefore + 150_000);
    await checkpointer.stop();
    sqlite.close();
  });

  it("cuts the log back to its bound under writes that never pause, holding them for a last pass", async () => {
    const { sqlite, file } = walDatabase();
    const boundBytes = 256 * 1024;
    let held: Promise<void> | undefined;
    const holdWrites: HoldWrites = async (whileHeld) => {
      held = whileHeld();
      await held;
      held = undefined;
    };
    const checkpointer = checkpointInWorker(sqlite, file, 20, holdWrites, boundBytes);
    const insert = sqlite.prepare("insert into t (body) values (?)");
    const write = sqlite.transaction(() => {
      for (let i = 0; i < 10; i++) insert.run("x".repeat(1000));
    });
    const walBytes = () => statSync(`${file}-wal`).size;
    // Without the held pass the log only grows: tens of megabytes in these seconds, never cut back.
    let grown = false;
    let cutBack = false;
    const until = Date.now() + 5000;
    while (!cutBack && Date.now() < until) {
      if (held) await held;
      write();
      if (walBytes() > 4 * boundBytes) grown = true;
      else if (grown && walBytes() <= boundBytes) cutBack = true;
      // Other work's turn, as a server's event loop gives it.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect({ grown, cutBack }).toEqual({ grown: true, cutBack: true });
    await checkpointer.stop();
    sqlite.close();
  });

  it("leaves the writer checkpointing by itself once it is stopped or fails", async () => {
    const { sqlite, file } = walDatabase();
    const checkpointer = checkpointInWorker(sqlite, join(file, "not-a-directory", "x.db"), 20, noHold);
    // The worker cannot open that file and dies; the writer takes checkpointing back.
    await expect.poll(() => sqlite.pragma("wal_autocheckpoint", { simple: true }), { timeout: 5000 }).toBe(1000);
    await checkpointer.stop();
    sqlite.close();
  });

  it("keeps a process with nothing else to do alive until it has stopped", async () => {
    const { file } = walDatabase();
    // A script's last await: without the worker holding the process, it ends with the await unsettled.
    const script = `
      import SQLite from "better-sqlite3";
      import { checkpointInWorker } from ${JSON.stringify(join(import.meta.dirname, "wal-checkpointer.ts"))};
      const sqlite = new SQLite(${JSON.stringify(file)});
      await checkpointInWorker(sqlite, ${JSON.stringify(file)}, 1000, (whileHeld) => whileHeld()).stop();
      console.log("stopped");
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { cwd: process.cwd() },
    );
    expect(stdout.trim()).toBe("stopped");
  });
});
