// Fails when the built client's JavaScript outgrows its budget: in total, and for the first page a
// visitor opens (the entry with the sign-in route). Run after `vite build`; sizes are gzip, as served.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** The part of Vite's build manifest this check reads (build.manifest in vite.config.ts). */
export type ManifestChunk = { file: string; isEntry?: boolean; imports?: string[]; dynamicImports?: string[] };
export type Manifest = Record<string, ManifestChunk>;

/** Each route's page module, as App.tsx loads it; the first is the page a signed-out visitor lands on. */
export const ROUTES = {
  "sign-in": "src/features/auth/LoginPage.tsx",
  register: "src/features/auth/RegisterPage.tsx",
  home: "src/app/LiveHomeRoute.tsx",
  chat: "src/app/LiveChatRoute.tsx",
  settings: "src/app/SettingsRoute.tsx",
} as const;

// In kB of 1000 bytes, as `vite build` prints them: the limits, 150 kB in all and 110 kB for the first
// route. docs/benchmarks.md ("Client") says what each route loads and what was cut to get there.
export const BUDGET_BYTES = { total: 150_000, firstRoute: 110_000 };

export type Report = { total: number; routes: Record<keyof typeof ROUTES, number>; overBudget: string[] };

/** The JS files a chunk needs before it runs: itself and its static imports, transitively. */
function staticClosure(manifest: Manifest, key: string, seen = new Set<string>()): Set<string> {
  const chunk = manifest[key];
  if (!chunk) throw new Error(`${key} is not in the build manifest: was it renamed?`);
  if (seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  for (const imported of chunk.imports ?? []) staticClosure(manifest, imported, seen);
  return seen;
}

export function measure(manifest: Manifest, gzipBytes: (file: string) => number, budget = BUDGET_BYTES): Report {
  const entry = Object.keys(manifest).find((key) => manifest[key]?.isEntry);
  if (!entry) throw new Error("The build manifest has no entry chunk.");
  const sum = (files: Iterable<string>) => [...files].reduce((bytes, file) => bytes + gzipBytes(file), 0);

  const allJs = new Set(
    Object.values(manifest)
      .map((chunk) => chunk.file)
      .filter((file) => file.endsWith(".js")),
  );
  const routes = Object.fromEntries(
    Object.entries(ROUTES).map(([route, page]) => [
      route,
      sum(staticClosure(manifest, page, staticClosure(manifest, entry))),
    ]),
  ) as Report["routes"];
  const total = sum(allJs);

  const overBudget = [
    ...(total > budget.total ? [`all JavaScript: ${kb(total)} > ${kb(budget.total)}`] : []),
    ...(routes["sign-in"] > budget.firstRoute
      ? [`first route (entry + sign-in): ${kb(routes["sign-in"])} > ${kb(budget.firstRoute)}`]
      : []),
  ];
  return { total, routes, overBudget };
}

export function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = fileURLToPath(new URL("../client/dist", import.meta.url));
  const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8")) as Manifest;
  const report = measure(manifest, (file) => gzipSync(readFileSync(join(dist, file))).length);

  console.log(`client JS, gzip: all ${kb(report.total)} (budget ${kb(BUDGET_BYTES.total)})`);
  for (const [route, bytes] of Object.entries(report.routes)) console.log(`  ${route.padEnd(9)} ${kb(bytes)}`);
  if (report.overBudget.length > 0) {
    console.error(`Over the bundle budget:\n  ${report.overBudget.join("\n  ")}`);
    process.exit(1);
  }
}
