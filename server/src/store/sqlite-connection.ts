import type SQLite from "better-sqlite3";
import type { Kysely } from "kysely";
import type { Database } from "./schema";

/**
 * Runs work on better-sqlite3's connection directly, or, while a transaction
 * Kysely holds open across awaits (an edit's, say) has it, after that
 * transaction. better-sqlite3 runs each statement and transaction of its own to
 * the end before returning, so nothing else can be in between; going through
 * Kysely's connection every time cost a call several promise turns
 * (docs/benchmarks.md).
 */
export function connectionFreeRunner(sqlite: SQLite.Database, db: Kysely<Database>) {
  return async <T>(work: () => T): Promise<T> =>
    sqlite.inTransaction ? db.connection().execute(async () => work()) : work();
}
