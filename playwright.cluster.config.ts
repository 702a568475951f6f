import { defineConfig, devices } from "@playwright/test";
import { chromiumLaunchOptions } from "./e2e/browser";

// The specs in e2e/cluster run against `npm run cluster`'s topology: nginx on this port, two nodes behind it.
const port = Number(process.env.CLUSTER_E2E_PORT ?? 3230);

export default defineConfig({
  testDir: "e2e/cluster",
  globalSetup: "./e2e/cluster/global-setup.ts",
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  // One worker: the specs read each node's socket count.
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Beside, not over, the single-node run's results.
  outputDir: "test-results/cluster",
  reporter: process.env.CI
    ? [["list"], ["html", { open: "never", outputFolder: "playwright-report/cluster" }]]
    : "list",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "on-first-retry",
    screenshot: "only-on-failure",
    ...devices["Desktop Chrome"],
    launchOptions: chromiumLaunchOptions,
  },
});
