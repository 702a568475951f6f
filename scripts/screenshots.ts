// Regenerates the README screenshots: starts the built app on a temp database,
// seeds a few conversations through the public API, and photographs the chat
// on a desktop (the list beside the open chat) and on a phone, in the light
// and dark themes.
import { chromium } from "@playwright/test";
import { io, type Socket } from "socket.io-client";
import type { AuthResponse, ClientToServerEvents, ServerToClientEvents } from "../shared/protocol";
import { findChromium } from "../e2e/browser";
import { startServerProcess } from "./server-process";

const server = await startServerProcess();
const { baseURL } = server;

async function register(username: string, displayName: string): Promise<AuthResponse> {
  const response = await fetch(`${baseURL}/api/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, displayName, password: "screenshot-password" }),
  });
  if (!response.ok) throw new Error(`register ${username}: ${response.status}`);
  return (await response.json()) as AuthResponse;
}

async function say(from: AuthResponse, to: AuthResponse, body: string): Promise<void> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(baseURL, {
    auth: { token: from.token },
    transports: ["websocket"],
  });
  const ack = await socket.emitWithAck("message:send", { peerId: to.user.id, clientId: crypto.randomUUID(), body });
  socket.disconnect();
  if (!ack.ok) throw new Error(ack.error.message);
}

try {
  const ada = await register("ada", "Ada Lovelace");
  const grace = await register("grace", "Grace Hopper");
  const alan = await register("alan", "Alan Turing");
  const katherine = await register("katherine", "Katherine Johnson");
  await say(katherine, ada, "The trajectory numbers check out.");
  await say(alan, ada, "Tea on Thursday?");
  await say(ada, grace, "Hi Grace! Did the new build pass?");
  await say(grace, ada, "All green. Messages arrive exactly once now,");
  await say(grace, ada, "even after a reconnect.");
  await say(ada, grace, "Lovely. Shipping it!");

  const browser = await chromium.launch({
    executablePath: findChromium(),
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
  const devices = {
    desktop: { viewport: { width: 1200, height: 700 } },
    phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 },
  };
  const written: string[] = [];
  for (const [device, options] of Object.entries(devices)) {
    for (const scheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ ...options, colorScheme: scheme });
      await context.addInitScript((token) => sessionStorage.setItem("parley.token", token), ada.token);
      const page = await context.newPage();
      await page.goto(`${baseURL}/chat/${grace.user.id}`);
      await page.getByTestId("message").filter({ hasText: "Shipping it" }).waitFor();
      await page.getByTestId("connection-status").filter({ hasText: "Connected" }).waitFor();
      // No focus ring or caret in the picture.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const path = `docs/screenshots/${device}-${scheme}.png`;
      await page.screenshot({ path });
      written.push(path);
      await context.close();
    }
  }
  await browser.close();
  console.log(`Wrote ${written.join(", ")}`);
} finally {
  await server.stop();
}
