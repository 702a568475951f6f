import {
  chooseMessageAction,
  expect,
  expectShownOnce,
  messageRows,
  openChatPair,
  openChatWith,
  sendMessage,
  signIn,
  test,
} from "./support";

test("presence goes online and offline between two users", async ({ newUserPage }) => {
  const { alice, bob, alicePage, bobPage } = await openChatPair(newUserPage);
  await expect(alicePage.getByTestId("peer-presence")).toHaveText("Online");

  // Bob's last tab goes away: after the server's grace period Alice sees him offline.
  await bobPage.context().close();
  await expect(alicePage.getByTestId("peer-presence")).toHaveText(/^(Last seen|Offline)/, { timeout: 15_000 });

  const bobAgain = await newUserPage();
  await signIn(bobAgain, bob);
  await openChatWith(bobAgain, alice);
  await expect(alicePage.getByTestId("peer-presence")).toHaveText("Online");
});

test("the typing indicator appears, expires without renewal, and clears when the message is sent", async ({
  newUserPage,
}) => {
  const { alicePage, bobPage } = await openChatPair(newUserPage);

  const indicator = alicePage.getByTestId("typing-indicator");
  const composer = bobPage.getByRole("combobox", { name: "Message", exact: true });
  await composer.pressSequentially("I am thinking");
  await expect(indicator).toContainText("is typing");
  // No more keystrokes: the receiver expires it after 6 s on its own.
  await expect(indicator).toBeHidden({ timeout: 10_000 });

  await composer.pressSequentially(" about it");
  await expect(indicator).toContainText("is typing");
  await composer.press("Enter");
  await expectShownOnce(alicePage, "I am thinking about it");
  await expect(indicator).toBeHidden();
});

test("editing and deleting my message propagate to the peer", async ({ newUserPage }) => {
  const { alicePage, bobPage } = await openChatPair(newUserPage);

  await sendMessage(bobPage, "see you at 5");
  await expectShownOnce(alicePage, "see you at 5");

  const mine = messageRows(bobPage, "see you at 5");
  await chooseMessageAction(mine, "Edit message");
  const editor = bobPage.getByRole("textbox", { name: "Edit message text" });
  await editor.fill("see you at 6");
  await editor.press("Enter");

  const edited = messageRows(alicePage, "see you at 6");
  await expect(edited).toHaveCount(1);
  await expect(edited.getByTestId("edited-mark")).toBeVisible();
  await expect(messageRows(alicePage, "see you at 5")).toHaveCount(0);

  const mineEdited = messageRows(bobPage, "see you at 6");
  await chooseMessageAction(mineEdited, "Delete message");
  await bobPage.getByRole("button", { name: "Confirm delete" }).click();

  await expect(alicePage.locator('[data-testid="message"][data-deleted="true"]')).toHaveText(/Message deleted/);
  await expect(messageRows(alicePage, "see you at 6")).toHaveCount(0);
});
