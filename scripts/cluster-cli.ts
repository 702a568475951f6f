// `npm run cluster`: a local cluster for trying several nodes by hand; Ctrl-C stops all of it.
import { startCluster } from "./cluster";

const cluster = await startCluster({ port: Number(process.env.PORT ?? 0) });
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

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  console.log("Stopping the cluster…");
  void cluster.stop().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
