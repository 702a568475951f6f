// Regenerates the README screenshots: starts the built app on a temp database,
// seeds a short conversation through the public API, and photographs the chat
// in the light and dark themes.
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
  await say(ada, grace, "Hi Grace! Did the new build pass?");
  await say(grace, ada, "All green. Messages arrive exactly once now, even after a reconnect.");
  await say(ada, grace, "Lovely. Shipping it!");

  const browser = await chromium.launch({
    executablePath: findChromium(),
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
  for (const scheme of ["light", "dark"] as const) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 640 }, colorScheme: scheme });
    await context.addInitScript((token) => sessionStorage.setItem("parley.token", token), ada.token);
    const page = await context.newPage();
    await page.goto(`${baseURL}/chat/${grace.user.id}`);
    await page.getByTestId("message").filter({ hasText: "Shipping it" }).waitFor();
    await page.screenshot({ path: `docs/screenshots/chat-${scheme}.png` });
    await context.close();
  }
  await browser.close();
  console.log("Wrote docs/screenshots/chat-light.png and docs/screenshots/chat-dark.png");
} finally {
  await server.stop();
}
