// `npm start` builds the client and the server only when their sources are newer than the build.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const shared = ["shared", "package-lock.json"];
const targets = [
  {
    name: "client",
    built: "client/dist/index.html",
    sources: ["client/src", "client/index.html", "vite.config.ts", ...shared],
    build: ["npx", "vite", "build", "--logLevel", "warn"],
  },
  {
    name: "server",
    built: "server/dist/index.js",
    sources: ["server/src", ...shared],
    build: ["npm", "run", "build:server"],
  },
];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

for (const target of targets) {
  const builtAt = existsSync(target.built) ? statSync(target.built).mtimeMs : 0;
  const changedAt = Math.max(...target.sources.filter(existsSync).map(newestMtime));
  if (changedAt <= builtAt) continue;
  console.log(`Building the ${target.name}…`);
  const [command = "npm", ...args] = target.build;
  const result = spawnSync(command, args, { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
