import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";

/** Debian's package path; Playwright's own download is used when that is absent. */
const SYSTEM_CHROMIUM = "/usr/bin/chromium";

/**
 * The Chromium the e2e run uses: $CHROMIUM_PATH, else the system package,
 * else a browser installed by `npx playwright install chromium`.
 */
export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, SYSTEM_CHROMIUM, chromium.executablePath()];
  return candidates.find((path): path is string => Boolean(path) && existsSync(path as string));
}

/** How every e2e config launches Chromium. */
export const chromiumLaunchOptions = {
  executablePath: findChromium(),
  args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
};
