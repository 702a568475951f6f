import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { createKyselyStore } from "./kysely-store";
import { migrateToLatest } from "./migrations";
import type { Database } from "./schema";
import type { Store } from "./types";

/** Connects a pool to DATABASE_URL, migrates, and returns the store: the same repository code as SQLite. */
export async function createPostgresStore(url: string, poolSize: number): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return createKyselyStore(db);
}
