import { mkdirSync } from "node:fs";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { SqliteDatabase } from "kysely";
import { createKyselyStore } from "./kysely-store";
import { migrateToLatest } from "./migrations";
import { createSqliteHistory } from "./sqlite-history";
import { createSqliteSendPath } from "./sqlite-send-path";
import type { Database } from "./schema";
import type { Store } from "./types";
import { checkpointInWorker } from "./wal-checkpointer";

export const SQLITE_FILE = "parley.db";
// A page rewritten several times between checkpoints is copied into the database once: at high rates
// three seconds cost less CPU a message than one (docs/benchmarks.md); the WAL holds about that much.
const CHECKPOINT_INTERVAL_MS = 3000;

// Distinct statements kept prepared. Kysely's SQL has placeholders, so the store's few dozen
// shapes fit; the bound keeps a shape that grows with its input from growing the map.
const PREPARED_MAX = 500;

// SQLite plans with the value of a LIMIT or OFFSET bound as a bare parameter, so it prepares such a
// statement again on every run; the store binds them as expressions (boundLimit in kysely-store.ts).
const BARE_BOUND_LIMIT = /\b(?:limit|offset)\s+\?(?!\s*\+)/i;

/**
 * The database as Kysely sees it, preparing each distinct SQL text once:
 * Kysely's SQLite driver prepares every query it runs, which took more of
 * the server's time than running the queries (docs/benchmarks.md). A query
 * with a bare bound LIMIT is refused, so none comes back unnoticed.
 */
export function withPreparedStatements(sqlite: SQLite.Database): SqliteDatabase {
  const prepared = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      let statement = prepared.get(sql);
      if (!statement) {
        if (BARE_BOUND_LIMIT.test(sql)) throw new Error(`a LIMIT or OFFSET bound as a bare parameter: ${sql}`);
        statement = sqlite.prepare(sql);
        if (prepared.size >= PREPARED_MAX) prepared.delete(prepared.keys().next().value as string);
        prepared.set(sql, statement);
      }
      return statement;
    },
  };
}

/** Opens (creating if needed) DATA_DIR/parley.db, migrates it, and returns the store. */
export async function createSqliteStore(dataDir: string): Promise<Store> {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, SQLITE_FILE);
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  // In WAL mode NORMAL skips the fsync per commit: a committed transaction
  // survives a process crash (kill -9), only an OS crash or power loss can
  // roll back the last few. That is the durability Parley promises.
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");

  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withPreparedStatements(sqlite) }) });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  // An empty transaction holds every write: Kysely's wait for its connection, the send path's and
  // history's for the transaction to end (connectionFreeRunner).
  const checkpointer = checkpointInWorker(sqlite, file, CHECKPOINT_INTERVAL_MS, (whileHeld) =>
    db.transaction().execute(() => whileHeld()),
  );
  const store = createKyselyStore(db, createSqliteSendPath(sqlite, db));
  return {
    ...store,
    ...createSqliteHistory(sqlite, db),
    async close() {
      await checkpointer.stop();
      await store.close();
    },
  };
}
