import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { withPreparedStatements } from "./sqlite";

const opened: Array<Kysely<{ numbers: { n: number } }>> = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.destroy();
});

describe("the SQLite database as Kysely sees it", () => {
  it("refuses a LIMIT or OFFSET bound as a bare parameter, and runs one bound as an expression", async () => {
    const db = new Kysely<{ numbers: { n: number } }>({
      dialect: new SqliteDialect({ database: withPreparedStatements(new SQLite(":memory:")) }),
    });
    opened.push(db);
    await sql`create table numbers (n integer)`.execute(db);
    await db
      .insertInto("numbers")
      .values([{ n: 1 }, { n: 2 }, { n: 3 }])
      .execute();
    const ordered = db.selectFrom("numbers").select("n").orderBy("n");

    await expect(ordered.limit(2).execute()).rejects.toThrow(/bare parameter/);
    await expect(
      ordered
        .limit(sql<number>`${2} + 0`)
        .offset(1)
        .execute(),
    ).rejects.toThrow(/bare parameter/);
    expect(
      await ordered
        .limit(sql<number>`${2} + 0`)
        .offset(sql<number>`${1} + 0`)
        .execute(),
    ).toEqual([{ n: 2 }, { n: 3 }]);
  });
});
