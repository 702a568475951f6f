import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import {
  accountMenu,
  chooseMessageAction,
  expect,
  makeUser,
  messageRows,
  openChatWith,
  openSettings,
  searchPeople,
  sendMessage,
  signUp,
  test,
} from "./support";

/** Serious and critical WCAG A/AA violations on the page as it is now. */
async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      targets: violation.nodes.map((node) => node.target.join(" ")),
    }));
}

const DEVICES = {
  desktop: {},
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
} as const;

for (const colorScheme of ["light", "dark"] as const) {
  for (const [device, options] of Object.entries(DEVICES)) {
    test(`every page and message state has no serious accessibility violations (${colorScheme}, ${device})`, async ({
      newUserPage,
    }) => {
      test.setTimeout(120_000);
      const alice = makeUser("Alice");
      const bob = makeUser("Bob");
      const bobPage = await newUserPage();
      await signUp(bobPage, bob);

      const page = await newUserPage({ ...options, colorScheme });
      await page.goto("/login");
      await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);

      await signUp(page, alice); // via /register, checked on the way below
      await page.goto("/register");
      await expect(page.getByRole("button", { name: "Create account" })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);

      await page.goto("/");
      await expect(page.getByLabel("Search people")).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);

      // The chat with every kind of message: mine and the peer's, edited, deleted on both sides, failed.
      await openChatWith(page, bob);
      for (const text of ["hello, accessible world", "to be edited", "to be deleted"]) await sendMessage(page, text);
      await openChatWith(bobPage, alice);
      await sendMessage(bobPage, "hi back");
      await sendMessage(bobPage, "never mind");
      await chooseMessageAction(messageRows(bobPage, "never mind"), "Delete message");
      await bobPage.getByRole("button", { name: "Confirm delete" }).click();

      await chooseMessageAction(messageRows(page, "to be edited"), "Edit message");
      const editor = page.getByRole("textbox", { name: "Edit message text" });
      await editor.fill("edited once");
      await editor.press("Enter");
      await expect(messageRows(page, "edited once").getByTestId("edited-mark")).toBeVisible();
      await chooseMessageAction(messageRows(page, "to be deleted"), "Delete message");
      await page.getByRole("button", { name: "Confirm delete" }).click();
      // A control character is refused by the server: the send fails and offers Retry.
      await sendMessage(page, "bad \u0001 char");
      await expect(page.locator('[data-testid="message"][data-status="failed"]')).toBeVisible();
      await expect(page.locator('[data-testid="message"][data-deleted="true"]')).toHaveCount(2);
      expect(await seriousViolations(page)).toEqual([]);

      // A message's actions menu and the account menu, open.
      await messageRows(page, "hello, accessible world").click();
      await page.keyboard.press("Enter");
      await expect(page.getByRole("menuitem", { name: "Edit message" })).toBeFocused();
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press("Escape");
      await accountMenu(page).click();
      await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press("Escape");

      // Offline, with a send waiting as pending.
      await page.context().setOffline(true);
      await expect(page.getByTestId("connection-status")).toHaveText("Offline");
      await sendMessage(page, "written offline");
      await expect(messageRows(page, "written offline")).toHaveAttribute("data-status", "pending");
      expect(await seriousViolations(page)).toEqual([]);
      await page.context().setOffline(false);
      await expect(page.getByTestId("connection-status")).toHaveText("Connected");

      // Settings with an error and the sign-out confirmation showing.
      await openSettings(page);
      await page.getByRole("button", { name: "Change password" }).click();
      await expect(page.getByRole("alert")).toBeVisible();
      await page.getByRole("button", { name: "Sign out of all devices" }).click();
      await expect(page.getByRole("button", { name: "Yes, sign out everywhere" })).toBeFocused();
      expect(await seriousViolations(page)).toEqual([]);

      // A group: the new group dialog, then the group with its system note, a reply and a reaction, then its
      // members dialog.
      await page.goto("/");
      await page.getByRole("button", { name: "New group" }).click();
      const dialog = page.getByRole("dialog", { name: "New group" });
      await dialog.getByLabel("Group name").fill("Accessible group");
      await searchPeople(dialog, bob.username);
      await dialog.getByRole("button", { name: new RegExp(bob.displayName) }).click();
      await expect(dialog.getByRole("list", { name: "Picked people" }).getByRole("button")).toHaveCount(1);
      expect(await seriousViolations(page)).toEqual([]);
      await dialog.getByRole("button", { name: "Create group" }).click();
      await expect(page.getByRole("heading", { level: 1, name: "Accessible group" })).toBeVisible();
      await sendMessage(page, "a group message");
      await chooseMessageAction(messageRows(page, "a group message"), "Add reaction");
      await page.getByRole("menuitem", { name: "React with party" }).click();
      await expect(messageRows(page, "a group message").getByRole("button", { name: "🎉 1: You" })).toBeVisible();
      await chooseMessageAction(messageRows(page, "a group message"), "Reply to message");
      await sendMessage(page, "a reply in the group");
      await expect(messageRows(page, "a reply in the group")).toHaveAttribute("data-status", "sent");
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole("button", { name: "Members" }).click();
      await expect(page.getByRole("dialog", { name: "Members of “Accessible group”" })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });
  }
}
