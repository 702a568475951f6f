import { test as base, expect, type Page } from "@playwright/test";

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

/** Signs up through the register page; lands on the home page. */
export async function signUp(page: Page, user: TestUser, { keepSignedIn = false } = {}): Promise<void> {
  await page.goto("/register");
  await page.getByLabel("Username", { exact: true }).fill(user.username);
  await page.getByLabel("Display name").fill(user.displayName);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  if (keepSignedIn) await page.getByLabel("Keep me signed in").check();
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/**
 * `newUserPage()` opens a page in a fresh browser context (its own storage, so
 * its own user); every context is closed when the test ends, which also closes
 * its sockets before the next test counts them.
 */
export const test = base.extend<{ newUserPage: () => Promise<Page> }>({
  newUserPage: async ({ browser }, use) => {
    const contexts: Awaited<ReturnType<typeof browser.newContext>>[] = [];
    await use(async () => {
      const context = await browser.newContext();
      contexts.push(context);
      return context.newPage();
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
});
export { expect };

/** Finds a person by search on the home page and opens the chat with them. */
export async function openChatWith(page: Page, peer: TestUser): Promise<void> {
  await page.goto("/");
  await page.getByLabel("Search people").fill(peer.username);
  await page
    .getByRole("link", { name: new RegExp(peer.displayName) })
    .first()
    .click();
  await expect(page.getByRole("heading", { level: 1, name: peer.displayName })).toBeVisible();
  await expect(page.getByTestId("connection-status")).toHaveText("Connected");
}

export async function sendMessage(page: Page, text: string): Promise<void> {
  const composer = page.getByRole("textbox", { name: "Message", exact: true });
  await composer.fill(text);
  await composer.press("Enter");
}

/** Rows of the message log whose text is exactly `text`. */
export function messageRows(page: Page, text: string) {
  return page.getByRole("log", { name: "Messages" }).getByTestId("message").filter({ hasText: text });
}

/** Waits until the message shows exactly once, confirmed by the server. */
export async function expectShownOnce(page: Page, text: string): Promise<void> {
  await expect(messageRows(page, text)).toHaveCount(1);
  await expect(messageRows(page, text)).toHaveAttribute("data-status", "sent");
}
