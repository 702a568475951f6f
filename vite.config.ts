import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vitest/config";
// With its extension: Vite's native config loader (its coming default) resolves no other.
import { findPostgresBin } from "./scripts/postgres.ts";

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
  // Every file starts servers of its own on data of its own, so the files share a module graph: a fresh one
  // per file spent a third of each project's time importing (SQLite 102 → 46 s, PostgreSQL 134 → 83 s).
  isolate: false,
};
const failoverTest = "server/test/failover.test.ts";
// The client tests that vi.mock a module (socket.io-client, for a fake socket).
const clientModuleMocks = ["client/src/realtime/groupRoute.test.tsx", "client/src/realtime/useRouteSocket.test.tsx"];
const LIVE_CHUNK =
  /client\/src\/(features\/(chat|groups|conversations|notifications|presence|users)|realtime)\/(?!(presenceSlice|groupEvents|reconcile|chatSlice|conversationRef|notificationPolicy|useMessageNotifications|outbox|conversationsSlice)\.)|node_modules\/(socket\.io|engine\.io|@socket\.io)/;

export default defineConfig({
  root: "client",
  plugins: [react(), tailwindcss()],
  // The manifest tells scripts/bundle-budget.ts which chunks each route loads.
  build: {
    outDir: "dist",
    emptyOutDir: true,
    manifest: true,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // The signed-in routes' code (and the socket's) as one chunk instead of a dozen small ones, which
          // compress worse apart (docs/benchmarks.md). Modules the entry imports (the store's slices and what
          // they use) stay out of it: else every route, sign-in too, would load it.
          groups: [{ name: "live", test: LIVE_CHUNK }],
          includeDependenciesRecursively: false,
        },
      },
    },
  },
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
      // A fresh jsdom and module graph per file cost most of the client suite's time (75 of 81 s), so the
      // files share them; client/src/test/setup.ts resets what a file may leave behind. Files that
      // replace a module (vi.mock) keep their own graph: a shared one would hand the real module to one
      // of them, or the stub to a file that wants the real one.
      {
        extends: true,
        test: {
          name: "client",
          environment: "jsdom",
          include: ["client/src/**/*.test.{ts,tsx}"],
          exclude: clientModuleMocks,
          isolate: false,
          setupFiles: ["client/src/test/setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "client-mocked",
          environment: "jsdom",
          include: clientModuleMocks,
          setupFiles: ["client/src/test/setup.ts"],
        },
      },
      // The multi-node suites share one PostgreSQL database between nodes: they run in integration-pg only.
      {
        extends: true,
        test: { name: "integration", ...integration, exclude: ["server/test/multi-node*.test.ts", failoverTest] },
      },
      ...(withPostgres
        ? [
            {
              extends: true as const,
              test: {
                name: "integration-pg",
                ...integration,
                exclude: [
                  // Builds server/dist once for both projects (two builds at once would race).
                  "server/test/production-build.test.ts",
                  failoverTest,
                ],
                globalSetup: ["server/test/postgres.setup.ts"],
              },
            },
          ]
        : []),
      // The failover suite starts a whole cluster of its own (PostgreSQL, Redis, two built nodes, nginx).
      // It runs after the other projects: it may build server/dist, which production-build.test.ts
      // rebuilds, and its timings mean more on an idle machine.
      {
        extends: true,
        test: {
          name: "integration-cluster",
          ...integration,
          include: [failoverTest],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
