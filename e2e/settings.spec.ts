import type { Page } from "@playwright/test";
import {
  accountMenu,
  expect,
  makeUser,
  openSettings,
  registerViaApi,
  signIn,
  signOut,
  signUp,
  test,
  type TestUser,
} from "./support";

/** A second device of the same user, in a live chat, so it holds a socket the server must close. */
async function secondDeviceInChat(newUserPage: () => Promise<Page>, user: TestUser, peerId: string) {
  const page = await newUserPage();
  await signIn(page, user);
  await page.goto(`/chat/${peerId}`);
  await expect(page.getByTestId("connection-status")).toHaveText("Connected");
  return page;
}

/** Signs in on the sign-in page already shown (which may lead back to the settings page). */
async function signInHere(page: Page, user: TestUser) {
  await page.getByLabel("Username", { exact: true }).fill(user.username);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function expectAtSignIn(page: Page) {
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
}

test("changing the password signs the other devices out, and only the new password signs in", async ({
  newUserPage,
  request,
}) => {
  const alice = makeUser("Alice");
  const { user: bob } = await registerViaApi(request, makeUser("Bob"));
  const page = await newUserPage();
  await signUp(page, alice);
  const otherDevice = await secondDeviceInChat(newUserPage, alice, bob.id);

  await openSettings(page);
  const newPassword = "a brand new passphrase";
  await page.getByLabel("Current password").fill(alice.password);
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Confirm new password").fill(newPassword);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Password changed" })).toBeVisible();

  await expectAtSignIn(otherDevice);

  await signOut(page);
  await expectAtSignIn(page);
  await signInHere(page, alice);
  await expect(page.getByRole("alert")).toBeVisible();
  await signInHere(page, { ...alice, password: newPassword });
  await expect(accountMenu(page)).toBeVisible();
});

test("a wrong current password is explained and changes nothing", async ({ newUserPage }) => {
  const alice = makeUser("Alice");
  const page = await newUserPage();
  await signUp(page, alice);

  await openSettings(page);
  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel("New password", { exact: true }).fill("a brand new passphrase");
  await page.getByLabel("Confirm new password").fill("a brand new passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("alert")).toHaveText("The current password is not right.");
  // Still signed in: the refusal is about the password, not the session.
  await expect(accountMenu(page)).toBeVisible();

  await signOut(page);
  await expectAtSignIn(page);
  await signInHere(page, alice);
  await expect(accountMenu(page)).toBeVisible();
});

test("signing out of all devices sends this device and every other one to sign-in", async ({
  newUserPage,
  request,
}) => {
  const alice = makeUser("Alice");
  const { user: bob } = await registerViaApi(request, makeUser("Bob"));
  const page = await newUserPage();
  await signUp(page, alice, { keepSignedIn: true });
  const otherDevice = await secondDeviceInChat(newUserPage, alice, bob.id);

  await openSettings(page);
  await page.getByRole("button", { name: "Sign out of all devices" }).click();
  await page.getByRole("button", { name: "Yes, sign out everywhere" }).click();

  await expectAtSignIn(page);
  await expectAtSignIn(otherDevice);
  // Nothing kept that would sign either back in.
  await page.reload();
  await expectAtSignIn(page);
  await otherDevice.goto("/");
  await expectAtSignIn(otherDevice);
});
