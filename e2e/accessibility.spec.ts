import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, makeUser, openChatWith, sendMessage, signUp, test } from "./support";

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

for (const colorScheme of ["light", "dark"] as const) {
  test(`login, register, home, chat and settings pages have no serious accessibility violations (${colorScheme})`, async ({
    newUserPage,
  }) => {
    const alice = makeUser("Alice");
    const bob = makeUser("Bob");
    const bobPage = await newUserPage();
    await signUp(bobPage, bob);

    const page = await newUserPage();
    await page.emulateMedia({ colorScheme });
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

    await openChatWith(page, bob);
    await sendMessage(page, "hello, accessible world");
    await openChatWith(bobPage, alice);
    await sendMessage(bobPage, "hi back");
    await expect(page.getByTestId("message")).toHaveCount(2);
    expect(await seriousViolations(page)).toEqual([]);

    // Settings with an error and the sign-out confirmation showing.
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByRole("alert")).toBeVisible();
    await page.getByRole("button", { name: "Sign out of all devices" }).click();
    await expect(page.getByRole("button", { name: "Yes, sign out everywhere" })).toBeFocused();
    expect(await seriousViolations(page)).toEqual([]);
  });
}
