import type { Config } from "../config";
import { createPostgresStore } from "./postgres";
import { createSqliteStore } from "./sqlite";
import type { Store } from "./types";

export type { Store } from "./types";
export { isRowError } from "./rows";

/** Picks the store for the configuration: SQLite under DATA_DIR unless DATABASE_URL names PostgreSQL. */
export async function createStore(
  config: Pick<Config, "dataDir" | "databaseUrl" | "databasePoolSize">,
): Promise<Store> {
  if (config.databaseUrl) return createPostgresStore(config.databaseUrl, config.databasePoolSize);
  return createSqliteStore(config.dataDir);
}
