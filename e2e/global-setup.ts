import { rmSync } from "node:fs";

/** Removes the run's database directory (playwright.config.ts makes it) once every spec has run. */
export default function globalSetup() {
  const dataDir = process.env.E2E_DATA_DIR;
  return () => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
