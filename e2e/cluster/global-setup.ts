import type { FullConfig } from "@playwright/test";
import { missingClusterTools, startCluster } from "../../scripts/cluster";

/** Starts the cluster once for the run; the specs find each node's own URL in CLUSTER_NODES. */
export default async function globalSetup(config: FullConfig) {
  const missing = missingClusterTools();
  if (missing.length) {
    // CI installs all three, so there a missing one is a failure, not a skip.
    if (process.env.CI === "true") throw new Error(`the cluster needs ${missing.join(", ")}`);
    process.env.CLUSTER_UNAVAILABLE = `the cluster needs ${missing.join(", ")}`;
    return;
  }
  const { baseURL } = config.projects[0]!.use;
  const cluster = await startCluster({
    port: Number(new URL(baseURL!).port),
    env: {
      // As in playwright.config.ts: seeding, sign-ups from 127.0.0.1, and offline shown within a second.
      SEND_RATE_BURST: "5000",
      SEND_RATE_PER_SEC: "1000",
      PRESENCE_GRACE_MS: "1000",
      REGISTER_RATE_PER_HOUR: "100000",
      LOGIN_RATE_PER_MIN: "100000",
    },
  });
  process.env.CLUSTER_NODES = JSON.stringify(Object.fromEntries(cluster.nodes.map((node) => [node.name, node.url])));
  return () => cluster.stop();
}
