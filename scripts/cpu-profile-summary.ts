// Summarises a V8 CPU profile (`node --cpu-prof`, e.g. from
// `BENCH_CPU_PROF=dir npm run bench`): CPU busy per second, so the phases of
// a run can be told apart; the top functions by self and by inclusive time;
// the same grouped by package; optionally folded stacks and a flame graph
// SVG. Idle samples are left out, so every percentage is of CPU time.
//   npx tsx scripts/cpu-profile-summary.ts <file.cpuprofile> [--from S] [--to S] [--top N]
//     [--window steady-window.json] [--folded out.folded] [--svg out.svg]
// --from and --to are seconds from the profile's first sample; --window is the
// file the benchmark writes beside its profiles: the measured steady slices.
import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { parseArgs } from "node:util";

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] };

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    from: { type: "string" },
    to: { type: "string" },
    window: { type: "string" },
    top: { type: "string", default: "25" },
    folded: { type: "string" },
    svg: { type: "string" },
  },
});
if (positionals.length !== 1) throw new Error("usage: cpu-profile-summary.ts <file.cpuprofile> [options]");
const profile = JSON.parse(readFileSync(positionals[0]!, "utf8")) as Profile;
const profileStartUs = profile.startTime + (profile.timeDeltas[0] ?? 0);
const window = values.window
  ? (JSON.parse(readFileSync(values.window, "utf8")) as { fromUs: number; toUs: number })
  : null;
const fromUs = window
  ? window.fromUs - profileStartUs
  : values.from === undefined
    ? -Infinity
    : Number(values.from) * 1e6;
const toUs = window ? window.toUs - profileStartUs : values.to === undefined ? Infinity : Number(values.to) * 1e6;
const TOP = Number(values.top);

// Samples outside the profile's JS (idle, the profiler itself) are not CPU spent on our work.
const NOT_CPU = new Set(["(idle)", "(root)"]);

/** The package a frame belongs to: the last node_modules entry in its path, Node's own code, or ours by folder. */
function packageOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node";
  const path = decodeURIComponent(url.replace(/^file:\/\//, ""));
  const inModules = path.lastIndexOf("/node_modules/");
  if (inModules >= 0) {
    const [first, second] = path.slice(inModules + "/node_modules/".length).split("/");
    return first!.startsWith("@") ? `${first}/${second}` : first!;
  }
  const ours = /\/(server\/src\/[^/]+|shared)\//.exec(path);
  return ours ? `parley ${ours[1]}` : relative(process.cwd(), path);
}

function nameOf(frame: CallFrame): string {
  const file = frame.url.split("/").pop() ?? "";
  const name = frame.functionName || "(anonymous)";
  // TypeScript runs transpiled by tsx, whose line numbers are not the source's.
  const line = /\.tsx?$/.test(file) ? "" : `:${frame.lineNumber + 1}`;
  return file ? `${name} ${file}${line}` : name;
}

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

// Self time per node over the chosen window; a sample's time is the delta that follows it.
const selfUs = new Map<number, number>();
const busyPerSecond: number[] = [];
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i] ?? 0;
  const delta = profile.timeDeltas[i + 1] ?? 0;
  const node = byId.get(profile.samples[i]!)!;
  const at = t - profileStartUs;
  if (NOT_CPU.has(node.callFrame.functionName)) continue;
  const second = Math.floor(at / 1e6);
  busyPerSecond[second] = (busyPerSecond[second] ?? 0) + delta;
  if (at < fromUs || at >= toUs) continue;
  selfUs.set(node.id, (selfUs.get(node.id) ?? 0) + delta);
}
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

function stackOf(id: number): ProfileNode[] {
  const stack: ProfileNode[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const node = byId.get(at)!;
    if (node.callFrame.functionName !== "(root)") stack.push(node);
  }
  return stack.reverse();
}

// Inclusive time counts a sample once per function (or package) on its stack, however often it recurs.
const fnSelf = new Map<string, number>();
const fnTotal = new Map<string, number>();
const pkgSelf = new Map<string, number>();
const pkgTotal = new Map<string, number>();
const folded = new Map<string, number>();
const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
for (const [id, us] of selfUs) {
  const stack = stackOf(id);
  const leaf = stack.at(-1)!.callFrame;
  add(fnSelf, `${nameOf(leaf)} [${packageOf(leaf)}]`, us);
  add(pkgSelf, packageOf(leaf), us);
  for (const key of new Set(stack.map((n) => `${nameOf(n.callFrame)} [${packageOf(n.callFrame)}]`)))
    add(fnTotal, key, us);
  for (const key of new Set(stack.map((n) => packageOf(n.callFrame)))) add(pkgTotal, key, us);
  add(
    folded,
    stack.map((n) => `${n.callFrame.functionName || "(anonymous)"} [${packageOf(n.callFrame)}]`).join(";"),
    us,
  );
}

const pct = (us: number) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
function table(title: string, map: Map<string, number>, rows = TOP): void {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, rows))
    console.log(`${pct(us)} ${ms(us)}  ${key}`);
}

console.log(`CPU busy per second of the profile (ms):`);
console.log(busyPerSecond.map((us, s) => `${s}:${((us ?? 0) / 1000).toFixed(0)}`).join(" "));
const span = `${fromUs === -Infinity ? "start" : (fromUs / 1e6).toFixed(1)}–${toUs === Infinity ? "end" : (toUs / 1e6).toFixed(1)} s`;
console.log(`\nWindow ${span}: ${(totalUs / 1000).toFixed(0)} ms of CPU (idle excluded)`);
table("By package, self time", pkgSelf);
table("By package, inclusive time", pkgTotal);
table("Functions by self time", fnSelf);
table("Functions by inclusive time", fnTotal);

if (values.folded) {
  // Brendan Gregg's folded format (flamegraph.pl, speedscope), in microseconds.
  writeFileSync(values.folded, [...folded].map(([stack, us]) => `${stack} ${Math.round(us)}`).join("\n") + "\n");
}

if (values.svg) writeFileSync(values.svg, flameGraph(folded, totalUs, span));

/** A plain SVG flame graph from folded stacks; frames narrower than a pixel are left out, hover shows the rest. */
function flameGraph(stacks: Map<string, number>, total: number, title: string): string {
  type Frame = { name: string; us: number; children: Map<string, Frame> };
  const root: Frame = { name: "all", us: 0, children: new Map() };
  for (const [stack, us] of stacks) {
    root.us += us;
    let frame = root;
    for (const name of stack.split(";")) {
      let child = frame.children.get(name);
      if (!child) frame.children.set(name, (child = { name, us: 0, children: new Map() }));
      child.us += us;
      frame = child;
    }
  }
  const WIDTH = 1200;
  const ROW = 16;
  const boxes: Array<{ frame: Frame; x: number; width: number; depth: number }> = [];
  function place(frame: Frame, x: number, depth: number): void {
    const width = (frame.us / total) * WIDTH;
    if (width < 1) return;
    boxes.push({ frame, x, width, depth });
    let childX = x;
    for (const child of [...frame.children.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      place(child, childX, depth + 1);
      childX += (child.us / total) * WIDTH;
    }
  }
  place(root, 0, 0);
  const height = (Math.max(...boxes.map((b) => b.depth)) + 2) * ROW + 8;
  const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  // One colour per package, so a package's share can be seen at a glance.
  const hue = (name: string) => {
    let h = 0;
    for (const c of /\[(.*)\]$/.exec(name)?.[1] ?? name) h = (h * 31 + c.charCodeAt(0)) % 360;
    return h;
  };
  const rects = boxes.map(({ frame, x, width, depth }) => {
    const y = height - (depth + 1) * ROW;
    const label = width > 40 ? escape(frame.name.slice(0, Math.floor(width / 6.2))) : "";
    return (
      `<g><title>${escape(frame.name)} — ${((100 * frame.us) / total).toFixed(2)}%</title>` +
      `<rect x="${x.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${ROW - 1}" fill="hsl(${hue(frame.name)},60%,72%)"/>` +
      (label ? `<text x="${(x + 3).toFixed(1)}" y="${y + 11}">${label}</text>` : "") +
      `</g>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="monospace" font-size="10">\n` +
    `<text x="4" y="14" font-size="12">CPU flame graph, ${escape(title)}, ${(total / 1000).toFixed(0)} ms of CPU</text>\n` +
    `${rects.join("\n")}\n</svg>\n`
  );
}
