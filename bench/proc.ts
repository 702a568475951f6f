// CPU time and resident memory of a process, read from /proc (Linux), so the
// relay and Parley are measured the same way.
import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

export type ProcessUsage = { cpuSeconds: number; rssBytes: number };

export function processUsage(pid: number): ProcessUsage {
  // The fields after the command name, which may itself hold spaces and parentheses.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKiB = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  return { cpuSeconds, rssBytes: rssKiB * 1024 };
}
