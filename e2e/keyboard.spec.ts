import {
  aliceWithHistory,
  expect,
  expectShownOnce,
  messageRows,
  openChatPair,
  sendMessage,
  sendViaSocket,
  test,
} from "./support";

test("keyboard only: a chat opens with the composer focused, and every message action is reachable", async ({
  newUserPage,
}) => {
  const { alicePage: page } = await openChatPair(newUserPage);
  const composer = page.getByRole("combobox", { name: "Message", exact: true });
  await expect(composer).toBeFocused();

  // Typing and sending: no Tab press.
  for (const text of ["first, typed", "second, to edit", "third, to delete", "fourth, stays"]) {
    await page.keyboard.type(text);
    await page.keyboard.press("Enter");
    await expectShownOnce(page, text);
  }
  await expect(composer).toBeFocused();

  // The log is one tab stop, right before the composer: the newest message.
  await page.keyboard.press("Shift+Tab");
  await expect(messageRows(page, "fourth, stays")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(composer).toBeFocused();
  await page.keyboard.press("Shift+Tab");

  await page.keyboard.press("Home");
  await expect(messageRows(page, "first, typed")).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(messageRows(page, "second, to edit")).toBeFocused();

  // Edit: Enter opens the message's menu, Enter picks Edit, Enter saves; the focus comes back to the message.
  await page.keyboard.press("Enter");
  await expect(page.getByRole("menuitem", { name: "Edit message" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("textbox", { name: "Edit message text" })).toBeFocused();
  await page.keyboard.type(" (edited)");
  await page.keyboard.press("Enter");
  const edited = messageRows(page, "second, to edit (edited)");
  await expect(edited.getByTestId("edited-mark")).toBeVisible();
  await expect(edited).toBeFocused();

  // Delete: the menu's second item, then the confirmation; the focus moves on to the next message.
  await page.keyboard.press("ArrowDown");
  await expect(messageRows(page, "third, to delete")).toBeFocused();
  await page.keyboard.press("Enter");
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("menuitem", { name: "Delete message" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Confirm delete" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(messageRows(page, "third, to delete")).toHaveCount(0);
  await expect(page.locator('[data-testid="message"][data-deleted="true"]')).toHaveCount(1);
  await expect(messageRows(page, "fourth, stays")).toBeFocused();

  // Escape closes the menu without acting.
  await page.keyboard.press("Enter");
  await expect(page.getByRole("menu", { name: "Message actions" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("menu", { name: "Message actions" })).toHaveCount(0);
  await expect(messageRows(page, "fourth, stays")).toBeFocused();
});

test("the New messages pill appears when the peer writes while I read older messages, and brings me to the bottom", async ({
  newUserPage,
  request,
  baseURL,
}) => {
  const { alice, bob, page } = await aliceWithHistory({ newUserPage, request, baseURL }, 60);
  await page.goto(`/chat/${bob.user.id}`);
  const log = page.getByRole("log", { name: "Messages" });
  await expect(log.locator('[data-testid="message"][data-seq="60"]')).toBeInViewport();
  await expect(page.getByTestId("connection-status")).toHaveText("Connected");

  await log.evaluate((element) => element.scrollTo({ top: 0 }));
  const pill = page.getByRole("button", { name: /New messages/ });
  await expect(pill).toBeHidden();
  await sendViaSocket(baseURL!, bob, alice, "news from below");
  await expect(pill).toBeVisible();

  await pill.click();
  await expect(pill).toBeHidden();
  await expect(messageRows(page, "news from below")).toBeInViewport();
});

test("a draft and an open edit survive: the draft a reload, the edit its row scrolling out of the DOM", async ({
  newUserPage,
  request,
  baseURL,
}) => {
  const { bob, page } = await aliceWithHistory({ newUserPage, request, baseURL }, 150, "alice");
  await page.goto(`/chat/${bob.user.id}`);
  const log = page.getByRole("log", { name: "Messages" });
  const newest = log.locator('[data-testid="message"][data-seq="150"]');
  await expect(newest).toBeInViewport();

  const composer = page.getByRole("combobox", { name: "Message", exact: true });
  await composer.fill("half a thought");
  await page.reload();
  await expect(composer).toHaveValue("half a thought");

  await newest.click();
  await page.keyboard.press("Enter");
  await page.getByRole("menuitem", { name: "Edit message" }).click();
  const editor = page.getByRole("textbox", { name: "Edit message text" });
  await editor.fill("rewritten while scrolling");
  await log.evaluate((element) => element.scrollTo({ top: 0 }));
  await expect(newest).toHaveCount(0);
  await log.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
  await expect(editor).toHaveValue("rewritten while scrolling");
  await editor.press("Enter");
  await expectShownOnce(page, "rewritten while scrolling");
  // Sending is still untouched by the edit.
  await sendMessage(page, "and one more");
  await expectShownOnce(page, "and one more");
});
