// `npm run cluster`: a local cluster for trying several nodes by hand; Ctrl-C stops all of it.
// It runs under `node --import tsx`, not the tsx CLI, whose signal relay SIGKILLs a child that
// is slow to acknowledge a Ctrl-C, which would leave the cluster running.
import { startCluster } from "./cluster";

// Listening before the start: a Ctrl-C while it starts stops the cluster as soon as it is up
// (startCluster cleans up by itself when the same Ctrl-C kills one of its processes first).
let interrupted = false;
const stopRequested = new Promise<void>((resolve) => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      interrupted = true;
      resolve();
    });
  }
});

const cluster = await startCluster({ port: Number(process.env.PORT ?? 0) }).catch((error: unknown) => {
  // The same Ctrl-C reached a node while it started; startCluster has stopped the rest.
  if (interrupted) process.exit(130);
  throw error;
});
console.log(
  [
    "Parley cluster running:",
    `  nginx       ${cluster.url}`,
    ...cluster.nodes.map((node) => `  ${node.name.padEnd(11)} ${node.url}`),
    `  PostgreSQL  ${cluster.databaseUrl}`,
    `  Redis       ${cluster.redisUrl}`,
    `  nginx.conf  ${cluster.nginxConfigFile}`,
    "Ctrl-C stops it and removes its data.",
  ].join("\n"),
);

await stopRequested;
console.log("Stopping the cluster…");
await cluster.stop();
process.exit(0);
