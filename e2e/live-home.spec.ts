import { io, type Socket } from "socket.io-client";
import type { AuthResponse, ClientToServerEvents, ServerToClientEvents } from "../shared/protocol";
import { expect, makeUser, registerViaApi, seedMessages, signInWithToken, test } from "./support";

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A peer's own client, straight on the wire: connecting makes them online, closing offline. */
function connectAs(baseURL: string, who: AuthResponse): Promise<ClientSocket> {
  const socket: ClientSocket = io(baseURL, { auth: { token: who.token }, transports: ["websocket"], forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

test("the home page follows new messages, unread counts, the tab title, notifications and presence without a reload", async ({
  newUserPage,
  request,
  baseURL,
}) => {
  const carol = await registerViaApi(request, makeUser("Carol"));
  const dave = await registerViaApi(request, makeUser("Dave"));
  const erin = await registerViaApi(request, makeUser("Erin"));
  // Erin wrote last, so her conversation is listed first until Dave writes again.
  await seedMessages(baseURL!, dave, carol, 1);
  await seedMessages(baseURL!, erin, carol, 1);

  const page = await newUserPage();
  await page.context().grantPermissions(["notifications"], { origin: baseURL });
  await page.context().addInitScript(() => {
    // Record every notification the page shows; the real one may not be displayable headless.
    const calls: { title: string; body?: string }[] = [];
    Object.assign(window, { __notifications: calls });
    const Real = window.Notification;
    function Recording(title: string, options?: NotificationOptions) {
      calls.push({ title, body: options?.body });
      try {
        return new Real(title, options);
      } catch {
        return { close() {}, onclick: null };
      }
    }
    Object.defineProperty(Recording, "permission", { get: () => Real.permission });
    Object.assign(Recording, { requestPermission: () => Real.requestPermission() });
    Object.assign(window, { Notification: Recording });
    // A visible tab shows the message already; notifications are for a tab in the background.
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    localStorage.setItem("parley.notifications", "on");
  });
  await signInWithToken(page, carol.token);
  await page.goto("/");

  const conversations = page.getByRole("region", { name: "Conversations" }).getByRole("link", { name: /(Dave|Erin) / });
  await expect(conversations).toHaveCount(2);
  await expect(conversations.first()).toContainText(erin.user.displayName);
  const daveLine = conversations.filter({ hasText: dave.user.displayName });
  await expect(daveLine).not.toContainText("Online");
  // Socket of the home page is up once the list has been refreshed through it.
  await expect.poll(() => page.evaluate(() => document.title)).toBe("(2) Parley");

  const daveSocket = await connectAs(baseURL!, dave);
  try {
    await expect(daveLine).toContainText("Online");

    const ack = await daveSocket.emitWithAck("message:send", {
      peerId: carol.user.id,
      clientId: "live-home-dave-1",
      body: "are you around for lunch?",
    });
    expect(ack.ok).toBe(true);

    await expect(conversations.first()).toContainText(dave.user.displayName);
    await expect(conversations.first()).toContainText("are you around for lunch?");
    await expect(conversations.first().getByTestId("unread-count")).toHaveText("2");
    await expect.poll(() => page.evaluate(() => document.title)).toBe("(3) Parley");
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __notifications: unknown[] }).__notifications))
      .toEqual([{ title: dave.user.displayName, body: "are you around for lunch?" }]);
  } finally {
    daveSocket.disconnect();
  }
  await expect(daveLine).not.toContainText("Online");
});
