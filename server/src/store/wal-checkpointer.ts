import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

// The worker's own code, plain CommonJS so it runs the same from the sources and from the bundle.
const CHECKPOINTER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 5000");
db.pragma("synchronous = NORMAL");
const timer = setInterval(() => db.pragma("wal_checkpoint(PASSIVE)"), workerData.intervalMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints the WAL of the SQLite file from a worker thread, on its own
 * connection, so the fsyncs of a checkpoint (up to tens of milliseconds on a
 * virtual disk) never stall the event loop. The writer's own automatic
 * checkpoint is turned off meanwhile, and back on should the worker fail.
 * A passive checkpoint waits for no one: writers carry on while it copies.
 */
export function checkpointInWorker(
  sqlite: { pragma(source: string): unknown },
  file: string,
  intervalMs: number,
): { stop(): Promise<void> } {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { driver, file, intervalMs } });
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
