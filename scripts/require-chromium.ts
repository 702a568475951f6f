// Fails the e2e run early with one actionable line instead of a launch stack trace.
import { findChromium } from "../e2e/browser";

if (!findChromium()) {
  console.error(
    "No Chromium found for the e2e tests: install it (`apt-get install -y chromium`, or `npx playwright install chromium` where downloads work) or set CHROMIUM_PATH.",
  );
  process.exit(1);
}
