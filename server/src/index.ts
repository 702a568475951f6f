import type { AddressInfo } from "node:net";
import { createApp } from "./app";
import { StartupError, loadConfig } from "./config";
import { createLogger } from "./logger";
import { connectRedis } from "./redis";
import { createStore } from "./store";

const SHUTDOWN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config);
  const store = await createStore(config);
  const redis = config.redisUrl ? await connectRedis(config, logger) : undefined;
  const app = createApp({ config, store, logger, redis });

  await new Promise<void>((resolve, reject) => {
    app.httpServer.once("error", reject);
    app.httpServer.listen(config.port, config.host, resolve);
  });
  const { port } = app.httpServer.address() as AddressInfo;
  const host = config.host && config.host !== "0.0.0.0" && config.host !== "::" ? config.host : "localhost";
  logger.info(
    { dataDir: config.dataDir },
    `Parley listening on http://${host.includes(":") ? `[${host}]` : host}:${port}`,
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    // Connections that do not finish in time must not keep the process alive.
    setTimeout(() => {
      logger.warn("shutdown timed out");
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    void app
      .close()
      .then(() => store.close())
      .then(() => process.exit(0));
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
  } else {
    console.error("Parley failed to start:", error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
