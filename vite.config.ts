import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vitest/config";
import { findPostgresBin } from "./scripts/postgres";

const rootDir = fileURLToPath(new URL(".", import.meta.url));
// The dev server proxies the API and the socket to the watched server (npm run dev).
const apiTarget = `http://127.0.0.1:${process.env.API_PORT ?? "3001"}`;
// The integration suite also runs on PostgreSQL wherever it is installed, and always in CI.
const withPostgres = process.env.CI === "true" || findPostgresBin() !== null;
const integration = {
  environment: "node" as const,
  include: ["server/test/**/*.test.ts"],
  testTimeout: 30_000,
  hookTimeout: 30_000,
};

export default defineConfig({
  root: "client",
  plugins: [react(), tailwindcss()],
  // The manifest tells scripts/bundle-budget.ts which chunks each route loads.
  build: { outDir: "dist", emptyOutDir: true, manifest: true },
  server: {
    proxy: {
      "/api": apiTarget,
      "/healthz": apiTarget,
      "/socket.io": { target: apiTarget, ws: true },
    },
  },
  test: {
    root: rootDir,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          environment: "node",
          include: ["shared/**/*.test.ts", "server/src/**/*.test.ts", "scripts/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "client",
          environment: "jsdom",
          include: ["client/src/**/*.test.{ts,tsx}"],
          setupFiles: ["client/src/test/setup.ts"],
        },
      },
      // The multi-node suite shares one PostgreSQL database between nodes: it runs in integration-pg only.
      { extends: true, test: { name: "integration", ...integration, exclude: ["server/test/multi-node.test.ts"] } },
      ...(withPostgres
        ? [
            {
              extends: true as const,
              test: {
                name: "integration-pg",
                ...integration,
                exclude: [
                  // These read the SQLite file itself to check what was stored.
                  "server/test/fuzz.test.ts",
                  "server/test/abuse/auth.test.ts",
                  // Builds server/dist once for both projects (two builds at once would race).
                  "server/test/production-build.test.ts",
                ],
                globalSetup: ["server/test/postgres.setup.ts"],
              },
            },
          ]
        : []),
    ],
  },
});
