import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { chromiumLaunchOptions } from "./e2e/browser";

const port = Number(process.env.E2E_PORT ?? 3210);
export const baseURL = `http://127.0.0.1:${port}`;
// A fresh database per run; set once in the main process, inherited by workers, removed after the
// run by e2e/global-setup.ts.
const dataDir = (process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), "parley-e2e-")));

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  // Two spec files at a time, each with its own users on the one server, except the socket-leak specs:
  // they read the server's count of all its sockets, so they run alone, after the rest. The cluster
  // specs run against nginx and two nodes: playwright.cluster.config.ts.
  workers: 2,
  projects: [
    { name: "specs", testIgnore: ["cluster/**", "sockets.spec.ts"] },
    { name: "socket count", testMatch: "sockets.spec.ts", dependencies: ["specs"] },
  ],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : "list",
  use: {
    baseURL,
    trace: "on-first-retry",
    screenshot: "only-on-failure",
    ...devices["Desktop Chrome"],
    launchOptions: chromiumLaunchOptions,
  },
  webServer: {
    command: "node --import tsx server/src/index.ts",
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      // Specs seed long histories (10,000 messages) through the socket API as fast as the server takes
      // them, which since group commit is faster than 1,000/s: the limit is out of their way.
      SEND_RATE_BURST: "100000",
      SEND_RATE_PER_SEC: "100000",
      // Offline shows within a second of a user's last tab closing.
      PRESENCE_GRACE_MS: "1000",
      // Every spec registers and signs in its users from 127.0.0.1.
      REGISTER_RATE_PER_HOUR: "100000",
      LOGIN_RATE_PER_MIN: "100000",
    },
  },
});
