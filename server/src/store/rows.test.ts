import { describe, expect, it } from "vitest";
import { isRowError } from "./rows";

describe("isRowError", () => {
  it("blames a row for the databases' constraint and value errors", () => {
    for (const code of [
      "SQLITE_CONSTRAINT_TRIGGER",
      "SQLITE_CONSTRAINT_UNIQUE",
      "SQLITE_TOOBIG",
      "23514",
      "23505",
      "22021",
      "22P02",
    ]) {
      expect(isRowError(Object.assign(new Error(code), { code })), code).toBe(true);
    }
  });

  it("blames no row for a lost connection, a busy or full database, or an error without a code", () => {
    for (const code of [
      "SQLITE_BUSY",
      "SQLITE_FULL",
      "SQLITE_IOERR_WRITE",
      "ECONNREFUSED",
      "08006",
      "57P01",
      "40001",
      23505,
    ]) {
      expect(isRowError(Object.assign(new Error(String(code)), { code })), String(code)).toBe(false);
    }
    expect(isRowError(new Error("no code"))).toBe(false);
    expect(isRowError(undefined)).toBe(false);
  });
});
