import { StartupError } from "../config";
import type { Config } from "../config";
import { createSqliteStore } from "./sqlite";
import type { Store } from "./types";

export type { Store } from "./types";

/** Picks the store for the configuration: SQLite under DATA_DIR unless DATABASE_URL names PostgreSQL. */
export async function createStore(config: Pick<Config, "dataDir" | "databaseUrl">): Promise<Store> {
  if (config.databaseUrl) {
    throw new StartupError([
      "DATABASE_URL: PostgreSQL support is not available yet; unset DATABASE_URL to use SQLite under DATA_DIR",
    ]);
  }
  return createSqliteStore(config.dataDir);
}
