// Loaded into Parley's server by bench/preemption.ts (`--import`): for each
// request whose URL contains PROBE_PATH, its time from Node's "request" event
// to "finish", the process's CPU time meanwhile, and what the kernel says of
// the main thread meanwhile: time spent runnable but not running, and how
// often it was taken off its core (involuntary context switches). SIGUSR2
// writes what was recorded since the last SIGUSR2 to PROBE_OUT.
import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";

export type ProbedRequest = { ms: number; cpuMs: number; waitMs: number; preemptions: number };

const task = `/proc/self/task/${process.pid}`;
/** Nanoseconds the main thread has waited on a run queue (schedstat's second field). */
const runQueueWaitNs = () => Number(readFileSync(`${task}/schedstat`, "utf8").split(" ")[1]);
const preemptions = () =>
  Number(/^nonvoluntary_ctxt_switches:\s+(\d+)$/m.exec(readFileSync(`${task}/status`, "utf8"))![1]);

const path = process.env.PROBE_PATH ?? "/messages";
let recorded: ProbedRequest[] = [];
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]) {
  if (event === "request") {
    const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
    if (req.url?.includes(path)) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const wait = runQueueWaitNs();
      const switches = preemptions();
      res.once("finish", () => {
        const used = process.cpuUsage(cpu);
        recorded.push({
          ms: performance.now() - started,
          cpuMs: (used.user + used.system) / 1000,
          waitMs: (runQueueWaitNs() - wait) / 1e6,
          preemptions: preemptions() - switches,
        });
      });
    }
  }
  return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
} as typeof emit;

process.on("SIGUSR2", () => {
  writeFileSync(process.env.PROBE_OUT!, JSON.stringify(recorded));
  recorded = [];
});
