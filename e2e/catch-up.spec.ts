import type { Page } from "@playwright/test";
import {
  chooseMessageAction,
  expect,
  expectShownOnce,
  makeUser,
  messageRows,
  openChatWith,
  sendMessage,
  signUp,
  test,
} from "./support";

// Distinct words, since rows are matched by the text they contain.
const KEPT = "this one stays as it was";
const BEFORE_EDIT = "see you at five";
const AFTER_EDIT = "see you at six instead";
const DELETED = "forget I said that";

async function editMessage(page: Page, text: string, replacement: string) {
  const row = messageRows(page, text);
  await chooseMessageAction(row, "Edit message");
  const editor = page.getByRole("textbox", { name: "Edit message text" });
  await editor.fill(replacement);
  await editor.press("Enter");
  await expect(messageRows(page, replacement).getByTestId("edited-mark")).toBeVisible();
}

async function deleteMessage(page: Page, text: string) {
  const row = messageRows(page, text);
  await chooseMessageAction(row, "Delete message");
  await page.getByRole("button", { name: "Confirm delete" }).click();
  await expect(messageRows(page, text)).toHaveCount(0);
}

/** Alice and Bob chatting; Bob has sent three messages and Alice holds all of them. */
async function chatWithThreeMessages(newUserPage: () => Promise<Page>) {
  const alice = makeUser("Alice");
  const bob = makeUser("Bob");
  const alicePage = await newUserPage();
  const bobPage = await newUserPage();
  // Kept signed in, so a tab opened again restores Alice's session.
  await signUp(alicePage, alice, { keepSignedIn: true });
  await signUp(bobPage, bob);
  await openChatWith(alicePage, bob);
  await openChatWith(bobPage, alice);
  for (const text of [KEPT, BEFORE_EDIT, DELETED]) {
    await sendMessage(bobPage, text);
    await expectShownOnce(alicePage, text);
  }
  return { alice, bob, alicePage, bobPage };
}

/** What Alice must see once back: the edit, the tombstone, and every message exactly once, in order. */
async function expectCaughtUp(page: Page) {
  const rows = page.getByRole("log", { name: "Messages" }).getByTestId("message");
  await expect(messageRows(page, AFTER_EDIT)).toHaveCount(1);
  await expect(messageRows(page, AFTER_EDIT).getByTestId("edited-mark")).toBeVisible();
  await expect(messageRows(page, BEFORE_EDIT)).toHaveCount(0);
  await expect(messageRows(page, DELETED)).toHaveCount(0);
  await expect(page.locator('[data-testid="message"][data-deleted="true"]')).toHaveText(/Message deleted/);
  await expect(messageRows(page, KEPT)).toHaveCount(1);
  await expect(rows).toHaveCount(3);
  expect(await rows.evaluateAll((all) => all.map((row) => Number((row as HTMLElement).dataset.seq)))).toEqual([
    1, 2, 3,
  ]);
}

async function bobEditsAndDeletes(bobPage: Page) {
  await editMessage(bobPage, BEFORE_EDIT, AFTER_EDIT);
  await deleteMessage(bobPage, DELETED);
}

test("an edit and a delete made while the receiver was offline show once the connection is back", async ({
  newUserPage,
}) => {
  const { alicePage, bobPage } = await chatWithThreeMessages(newUserPage);

  await alicePage.context().setOffline(true);
  await expect(alicePage.getByTestId("connection-status")).toHaveText("Offline");
  await bobEditsAndDeletes(bobPage);
  // Nothing reached Alice meanwhile: what she sees is still the old text.
  await expect(messageRows(alicePage, BEFORE_EDIT)).toHaveCount(1);

  await alicePage.context().setOffline(false);
  await expect(alicePage.getByTestId("connection-status")).toHaveText("Connected");
  await expectCaughtUp(alicePage);
});

test("an edit and a delete made while the receiver was on another page show when the chat is opened again", async ({
  newUserPage,
}) => {
  const { bob, alicePage, bobPage } = await chatWithThreeMessages(newUserPage);

  // Leaving the chat route closes its socket; the messages stay in the tab's store.
  await alicePage.getByRole("link", { name: "Back to home" }).click();
  await expect(alicePage.getByRole("heading", { level: 1, name: "Parley" })).toBeVisible();
  await bobEditsAndDeletes(bobPage);

  await alicePage
    .getByRole("region", { name: "Conversations" })
    .getByRole("link", { name: new RegExp(bob.displayName) })
    .click();
  await expect(alicePage.getByTestId("connection-status")).toHaveText("Connected");
  await expectCaughtUp(alicePage);
});

test("an edit and a delete made while the receiver's tab was closed show when it is opened again", async ({
  newUserPage,
}) => {
  const { alicePage, bobPage } = await chatWithThreeMessages(newUserPage);
  const chatUrl = alicePage.url();
  const context = alicePage.context();

  await alicePage.close();
  await bobEditsAndDeletes(bobPage);

  const reopened = await context.newPage();
  await reopened.goto(chatUrl);
  await expect(reopened.getByTestId("connection-status")).toHaveText("Connected");
  await expectCaughtUp(reopened);
});
