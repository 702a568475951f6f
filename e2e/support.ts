import {
  test as base,
  expect,
  type APIRequestContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from "@playwright/test";
import { io, type Socket } from "socket.io-client";
import type { AuthResponse, ClientToServerEvents, ServerToClientEvents } from "../shared/protocol";

export type TestUser = { username: string; displayName: string; password: string };

let counter = 0;
/** A user no other test (or earlier run on the same database) has taken. */
export function makeUser(name: string, overrides: Partial<TestUser> = {}): TestUser {
  counter += 1;
  const suffix = `${Date.now().toString(36)}${counter}`;
  return {
    username: `${name.toLowerCase()}_${suffix}`,
    displayName: `${name} ${suffix}`,
    password: "correct horse battery",
    ...overrides,
  };
}

/** The signed-in user's menu button in the top bar (Settings, notifications, theme, Sign out); shown only when signed in. */
export function accountMenu(page: Page) {
  return page.getByRole("button", { name: /Account menu/ });
}

/** Opens the settings page through the account menu. */
export async function openSettings(page: Page): Promise<void> {
  await accountMenu(page).click();
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
}

/** Signs out through the account menu. */
export async function signOut(page: Page): Promise<void> {
  await accountMenu(page).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
}

/** Signs up through the register page; lands on the home page. */
export async function signUp(page: Page, user: TestUser, { keepSignedIn = false } = {}): Promise<void> {
  await page.goto("/register");
  await page.getByLabel("Username", { exact: true }).fill(user.username);
  await page.getByLabel("Display name").fill(user.displayName);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  if (keepSignedIn) await page.getByLabel("Keep me signed in").check();
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(accountMenu(page)).toBeVisible();
}

/** Signs in through the login page; lands on the home page. */
export async function signIn(page: Page, user: TestUser): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Username", { exact: true }).fill(user.username);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(accountMenu(page)).toBeVisible();
}

/**
 * `newUserPage()` opens a page in a fresh browser context (its own storage, so
 * its own user); every context is closed when the test ends, which also closes
 * its sockets before the next test counts them.
 */
export const test = base.extend<{ newUserPage: (options?: BrowserContextOptions) => Promise<Page> }>({
  newUserPage: async ({ browser }, use) => {
    const contexts: Awaited<ReturnType<typeof browser.newContext>>[] = [];
    await use(async (options) => {
      const context = await browser.newContext(options);
      contexts.push(context);
      return context.newPage();
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
});
export { expect };

/**
 * Searches people in `scope` (a page, or a dialog with its own search) and waits for that search's
 * answer. Until then the earlier query's results are shown and about to be replaced: a click on one of
 * them could land as it goes.
 */
export async function searchPeople(scope: Page | Locator, username: string): Promise<void> {
  const people = scope.getByRole("region", { name: "People" });
  await people.getByLabel("Search people").fill(username);
  await expect(people).toHaveAttribute("aria-busy", "false");
  await expect(people.getByRole("status", { name: "Loading people" })).toHaveCount(0);
}

/** Finds a person by search on the home page and opens the chat with them. */
export async function openChatWith(page: Page, peer: TestUser): Promise<void> {
  await page.goto("/");
  // The list arrives once the socket connects; the search results move when it does.
  await expect(page.getByRole("heading", { level: 2, name: "Conversations" })).toBeVisible();
  await expect(page.getByRole("status", { name: "Loading conversations" })).toHaveCount(0);
  await searchPeople(page, peer.username);
  await page
    .getByRole("link", { name: new RegExp(peer.displayName) })
    .first()
    .click();
  await expect(page.getByRole("heading", { level: 1, name: peer.displayName })).toBeVisible();
  await expect(page.getByTestId("connection-status")).toHaveText("Connected");
}

/** Two new users, each in a context of their own, with the chat between them open on both sides. */
export async function openChatPair(newUserPage: () => Promise<Page>) {
  const alice = makeUser("Alice");
  const bob = makeUser("Bob");
  const alicePage = await newUserPage();
  const bobPage = await newUserPage();
  await signUp(alicePage, alice);
  await signUp(bobPage, bob);
  await openChatWith(alicePage, bob);
  await openChatWith(bobPage, alice);
  return { alice, bob, alicePage, bobPage };
}

export async function sendMessage(page: Page, text: string): Promise<void> {
  const composer = page.getByRole("combobox", { name: "Message", exact: true });
  await composer.fill(text);
  await composer.press("Enter");
}

/** Rows of the message log whose text is exactly `text`. */
export function messageRows(page: Page, text: string) {
  return page.getByRole("log", { name: "Messages" }).getByTestId("message").filter({ hasText: text });
}

/**
 * Picks Edit or Delete from a message's actions menu, as a pointer or touch user does: a click (tap) on the
 * message shows its menu button.
 */
export async function chooseMessageAction(
  row: ReturnType<typeof messageRows>,
  action: "Edit message" | "Delete message" | "Reply to message" | "Add reaction",
): Promise<void> {
  await row.click();
  await row.getByRole("button", { name: "Message actions" }).click();
  await row.getByRole("menuitem", { name: action }).click();
}

/** Waits until the message shows exactly once, confirmed by the server. */
export async function expectShownOnce(page: Page, text: string): Promise<void> {
  await expect(messageRows(page, text)).toHaveCount(1);
  await expect(messageRows(page, text)).toHaveAttribute("data-status", "sent");
}

/** Registers through the HTTP API, for tests that seed data instead of clicking. */
export async function registerViaApi(request: APIRequestContext, user: TestUser): Promise<AuthResponse> {
  const response = await request.post("/api/auth/register", { data: user });
  expect(response.status()).toBe(201);
  return (await response.json()) as AuthResponse;
}

/** Opens pages of this context already signed in with `token`, as a tab restoring its session does. */
export async function signInWithToken(page: Page, token: string): Promise<void> {
  await page.context().addInitScript((value) => sessionStorage.setItem("parley.token", value), token);
}

/** Sends `count` messages from `from` to `to` through the socket API, acked one window at a time. */
/**
 * Alice and Bob with `count` messages between them (from Bob unless `sentBy` is "alice"), and a page
 * signed in as Alice that has not navigated yet (so a test can add init scripts first).
 */
export async function aliceWithHistory(
  fixtures: { newUserPage: () => Promise<Page>; request: APIRequestContext; baseURL: string | undefined },
  count: number,
  sentBy: "alice" | "bob" = "bob",
): Promise<{ alice: AuthResponse; bob: AuthResponse; page: Page }> {
  const alice = await registerViaApi(fixtures.request, makeUser("Alice"));
  const bob = await registerViaApi(fixtures.request, makeUser("Bob"));
  const [from, to] = sentBy === "bob" ? [bob, alice] : [alice, bob];
  await seedMessages(fixtures.baseURL!, from, to, count);
  const page = await fixtures.newUserPage();
  await signInWithToken(page, alice.token);
  return { alice, bob, page };
}

export async function seedMessages(baseURL: string, from: AuthResponse, to: AuthResponse, count: number) {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(baseURL, {
    auth: { token: from.token },
    transports: ["websocket"],
    forceNew: true,
  });
  try {
    const window = 50;
    for (let start = 1; start <= count; start += window) {
      const batch = Array.from({ length: Math.min(window, count - start + 1) }, (_, i) =>
        socket.emitWithAck("message:send", {
          peerId: to.user.id,
          clientId: `seed-${from.user.id}-${start + i}`,
          body: `seeded message ${start + i}`,
        }),
      );
      for (const ack of await Promise.all(batch)) if (!ack.ok) throw new Error(`seeding failed: ${ack.error.message}`);
    }
  } finally {
    socket.disconnect();
  }
}

/** One message from `from` to `to` through the socket API, as the peer's other device would send it. */
export async function sendViaSocket(baseURL: string, from: AuthResponse, to: AuthResponse, body: string) {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(baseURL, {
    auth: { token: from.token },
    transports: ["websocket"],
    forceNew: true,
  });
  try {
    const ack = await socket.emitWithAck("message:send", { peerId: to.user.id, clientId: crypto.randomUUID(), body });
    if (!ack.ok) throw new Error(`sending failed: ${ack.error.message}`);
  } finally {
    socket.disconnect();
  }
}
