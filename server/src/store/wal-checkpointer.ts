import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

// The worker's own code, plain CommonJS so it runs the same from the sources and from the bundle.
const CHECKPOINTER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 5000");
db.pragma("synchronous = NORMAL");
const boundFrames = workerData.boundBytes / db.pragma("page_size", { simple: true });
const pass = () => db.pragma("wal_checkpoint(PASSIVE)")[0];
let holding = false;
const timer = setInterval(() => {
  if (pass().log <= boundFrames || holding) return;
  // Each pass copies what was written during the one before: once one is quick, the last one, which
  // the writer holds its writes for, has little left to copy.
  for (let i = 0; i < 8; i++) {
    const started = Date.now();
    pass();
    if (Date.now() - started < 20) break;
  }
  holding = true;
  parentPort.postMessage("hold");
}, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message === "stop") {
    clearInterval(timer);
    db.close();
    parentPort.close();
    return;
  }
  // "held", or "not held" when the writer could not hold its writes.
  if (message === "held") pass();
  holding = false;
  parentPort.postMessage("done");
});
`;

/** The log's length past which a pass is made with the writes held, so that the log starts over. */
const WAL_BOUND_BYTES = 64 * 1024 * 1024;
/** A hold ends after this even if the worker has not answered: writes never wait longer. */
const HOLD_MAX_MS = 1000;

/** Runs `whileHeld` while no write can begin (the store's writes wait for it, reads may too). */
export type HoldWrites = (whileHeld: () => Promise<void>) => Promise<unknown>;

/**
 * Checkpoints the WAL of the SQLite file from a worker thread, on its own
 * connection, so the fsyncs of a checkpoint (up to tens of milliseconds on a
 * virtual disk) never stall the event loop. The writer's own automatic
 * checkpoint is turned off meanwhile, and back on should the worker fail.
 * A passive checkpoint waits for no one: writers carry on while it copies.
 *
 * The log starts over only at a write that finds all of it copied. Writes that never pause leave no
 * such moment, and the log would grow without end (docs/architecture.md): once it passes `boundBytes`
 * the worker makes passes back to back, then one last with the writes held (`holdWrites`), which the
 * next write finds wholly copied. The file is then cut back to the bound.
 */
export function checkpointInWorker(
  sqlite: { pragma(source: string): unknown },
  file: string,
  intervalMs: number,
  holdWrites: HoldWrites,
  boundBytes = WAL_BOUND_BYTES,
): { stop(): Promise<void> } {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { driver, file, intervalMs, boundBytes } });
  sqlite.pragma(`journal_size_limit = ${boundBytes}`);
  const lastPass = () =>
    new Promise<void>((resolve) => {
      const end = () => {
        clearTimeout(timeout);
        worker.off("message", onMessage);
        worker.off("exit", end);
        resolve();
      };
      const onMessage = (message: unknown) => message === "done" && end();
      const timeout = setTimeout(end, HOLD_MAX_MS);
      worker.on("message", onMessage);
      worker.once("exit", end);
      worker.postMessage("held");
    });
  worker.on("message", (message: unknown) => {
    // A hold that cannot start (the store is closing) leaves the log to a later one.
    if (message === "hold") void holdWrites(lastPass).catch(() => worker.postMessage("not held"));
  });
  // It must not keep a process alive that has nothing else to do.
  worker.unref();
  sqlite.pragma("wal_autocheckpoint = 0");
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  const fallBack = () => {
    if (!stopping) sqlite.pragma("wal_autocheckpoint = 1000");
  };
  worker.once("error", fallBack);
  worker.once("exit", fallBack);
  return {
    async stop() {
      stopping = true;
      // Until it has closed its connection: a process with nothing else to do would otherwise end
      // first, and the caller's await with it.
      worker.ref();
      worker.postMessage("stop");
      await exited;
    },
  };
}
