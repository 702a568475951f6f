import { expect, makeUser, searchPeople, signUp, test } from "./support";

test("on a phone the list and the chat are separate views: list → chat → back", async ({ newUserPage }) => {
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
  const alice = makeUser("Alice");
  const bob = makeUser("Bob");
  await signUp(await newUserPage(phone), bob);
  const page = await newUserPage(phone);
  await signUp(page, alice);

  await searchPeople(page, bob.username);
  await page
    .getByRole("link", { name: new RegExp(bob.displayName) })
    .first()
    .click();
  await expect(page.getByRole("heading", { level: 1, name: bob.displayName })).toBeVisible();
  // The chat takes the whole screen: the list is not beside it.
  await expect(page.getByRole("navigation", { name: "Conversations" })).toBeHidden();
  await expect(page.getByRole("combobox", { name: "Message", exact: true })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  await page.getByRole("link", { name: "Back to home" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByLabel("Search people")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
