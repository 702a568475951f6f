// Regenerates the README screenshots: starts the built app on a temp database,
// seeds a few conversations and a group through the public API, and
// photographs the chat on a desktop (the list beside the open chat) and on a
// phone, and the group on a desktop, in the light and dark themes.
import { chromium } from "@playwright/test";
import { io, type Socket } from "socket.io-client";
import { groupConversationId } from "../shared/protocol";
import type {
  AuthResponse,
  ClientToServerEvents,
  GroupResponse,
  Message,
  SendPayload,
  ServerToClientEvents,
} from "../shared/protocol";
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

/** Runs `act` on a socket of `user`'s, then closes it. */
async function withSocket<T>(
  user: AuthResponse,
  act: (socket: Socket<ServerToClientEvents, ClientToServerEvents>) => Promise<T>,
): Promise<T> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(baseURL, {
    auth: { token: user.token },
    transports: ["websocket"],
  });
  try {
    return await act(socket);
  } finally {
    socket.disconnect();
  }
}

async function send(from: AuthResponse, payload: Omit<SendPayload, "clientId">): Promise<Message> {
  const ack = await withSocket(from, (socket) =>
    socket.emitWithAck("message:send", { ...payload, clientId: crypto.randomUUID() }),
  );
  if (!ack.ok) throw new Error(ack.error.message);
  return ack.message;
}

const say = (from: AuthResponse, to: AuthResponse, body: string) => send(from, { peerId: to.user.id, body });

async function react(user: AuthResponse, message: Message, emoji: string): Promise<void> {
  const ack = await withSocket(user, (socket) => socket.emitWithAck("reaction:add", { messageId: message.id, emoji }));
  if (!ack.ok) throw new Error(ack.error.message);
}

async function createGroup(owner: AuthResponse, name: string, members: AuthResponse[]): Promise<string> {
  const response = await fetch(`${baseURL}/api/groups`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${owner.token}` },
    body: JSON.stringify({ clientId: crypto.randomUUID(), name, memberIds: members.map((m) => m.user.id) }),
  });
  if (!response.ok) throw new Error(`create group: ${response.status}`);
  return ((await response.json()) as GroupResponse).group.id;
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
  const groupId = await createGroup(ada, "Analytical Engine", [grace, alan, katherine]);
  const inGroup = { conversationId: groupConversationId(groupId) };
  const plan = await send(ada, { ...inGroup, body: "Draft of the release notes is up, comments welcome." });
  await send(grace, { ...inGroup, body: "Reading it now.", replyToId: plan.id });
  const tests = await send(alan, { ...inGroup, body: "The delivery tests pass on both databases." });
  await react(ada, tests, "🎉");
  await react(katherine, tests, "🎉");
  await send(katherine, { ...inGroup, body: "@ada the numbers section checks out." });

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
  for (const scheme of ["light", "dark"] as const) {
    const context = await browser.newContext({ ...devices.desktop, colorScheme: scheme });
    await context.addInitScript((token) => sessionStorage.setItem("parley.token", token), ada.token);
    const page = await context.newPage();
    await page.goto(`${baseURL}/group/${groupId}`);
    await page.getByTestId("message").filter({ hasText: "numbers section" }).waitFor();
    await page.getByTestId("connection-status").filter({ hasText: "Connected" }).waitFor();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const path = `docs/screenshots/group-${scheme}.png`;
    await page.screenshot({ path });
    written.push(path);
    await context.close();
  }
  await browser.close();
  console.log(`Wrote ${written.join(", ")}`);
} finally {
  await server.stop();
}
