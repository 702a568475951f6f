import type { TestProject } from "vitest/node";
import { findPostgresBin, startPostgres } from "../../scripts/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    /** The admin URL of the PostgreSQL this project's tests create their databases in. */
    postgresUrl: string;
  }
}

/** One throwaway PostgreSQL for the whole integration-pg project; each test server gets a database of its own. */
export default async function setup(project: TestProject) {
  const bin = findPostgresBin();
  if (!bin) throw new Error("PostgreSQL is not installed (apt-get install postgresql, or set PG_BIN)");
  const postgres = await startPostgres(bin);
  project.provide("postgresUrl", postgres.url);
  return () => postgres.stop();
}
