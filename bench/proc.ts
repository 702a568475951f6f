// CPU time and resident memory of a process, read from /proc (Linux), so the
// relay and Parley are measured the same way.
import { readFileSync, readdirSync } from "node:fs";

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

/** The pid of this process's child whose command line contains `fragment`. */
export function childPid(fragment: string): number {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parentPid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parentPid !== process.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(fragment)) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error(`no child process running ${fragment}`);
}
