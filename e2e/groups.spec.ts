import type { Page } from "@playwright/test";
import { expect, expectShownOnce, makeUser, messageRows, searchPeople, sendMessage, signUp, test } from "./support";

type RecordedNotification = { title: string; body?: string };

/**
 * Records every notification the page shows (the real one may not be displayable headless) and lets the test
 * put the tab in the background: notifications are for a hidden tab only, and a hidden tab reads nothing.
 */
async function recordNotifications(page: Page, baseURL: string): Promise<void> {
  await page.context().grantPermissions(["notifications"], { origin: baseURL });
  await page.context().addInitScript(() => {
    const calls: { title: string; body?: string }[] = [];
    Object.assign(window, { __notifications: calls, __hidden: false });
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
    Object.defineProperty(document, "visibilityState", {
      configurable: true,
      get: () => ((window as unknown as { __hidden: boolean }).__hidden ? "hidden" : "visible"),
    });
    localStorage.setItem("parley.notifications", "on");
  });
}

function setHidden(page: Page, hidden: boolean): Promise<void> {
  return page.evaluate((value) => {
    Object.assign(window, { __hidden: value });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

function notificationsOf(page: Page): Promise<RecordedNotification[]> {
  return page.evaluate(() => (window as unknown as { __notifications: RecordedNotification[] }).__notifications);
}

/** The home page's conversation list, loaded. */
async function conversationList(page: Page) {
  const list = page.getByRole("region", { name: "Conversations" });
  await expect(list).toBeVisible();
  await expect(page.getByRole("status", { name: "Loading conversations" })).toHaveCount(0);
  return list;
}

/** Opens a group from the home page's conversation list, as a member finds it. */
async function openGroupFromList(page: Page, name: string): Promise<void> {
  const list = await conversationList(page);
  await list.getByRole("link", { name: new RegExp(name) }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByTestId("connection-status")).toHaveText("Connected");
}

/** The first row with `text`: the original, not a reply quoting it further down. */
function firstRow(page: Page, text: string) {
  return messageRows(page, text).first();
}

function systemNote(page: Page, text: string) {
  return page.getByTestId("system-note").filter({ hasText: text });
}

test("a group from creation to removal: chat, reply, reaction, mention, rename, seen by, a removed member and an owner's delete", async ({
  newUserPage,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const alice = makeUser("Alice");
  const bob = makeUser("Bob");
  const carol = makeUser("Carol");
  const alicePage = await newUserPage();
  const bobPage = await newUserPage();
  const carolPage = await newUserPage();
  await recordNotifications(carolPage, baseURL!);
  await signUp(alicePage, alice);
  await signUp(bobPage, bob);
  await signUp(carolPage, carol);

  // Alice creates the group from the conversation list, picking Bob and Carol from the people search.
  await conversationList(alicePage);
  await alicePage.getByRole("button", { name: "New group" }).click();
  const dialog = alicePage.getByRole("dialog", { name: "New group" });
  await dialog.getByLabel("Group name").fill("Weekend plans");
  for (const person of [bob, carol]) {
    await searchPeople(dialog, person.username);
    await dialog.getByRole("button", { name: new RegExp(person.displayName) }).click();
  }
  await expect(dialog.getByRole("list", { name: "Picked people" }).getByRole("button")).toHaveCount(2);
  await dialog.getByRole("button", { name: "Create group" }).click();
  await expect(alicePage).toHaveURL(/\/group\//);
  await expect(alicePage.getByRole("heading", { level: 1, name: "Weekend plans" })).toBeVisible();
  await expect(alicePage.getByTestId("connection-status")).toHaveText("Connected");
  await expect(systemNote(alicePage, `${alice.displayName} created the group`)).toBeVisible();

  await openGroupFromList(bobPage, "Weekend plans");
  await openGroupFromList(carolPage, "Weekend plans");
  await expect(bobPage.getByText("3 members")).toBeVisible();

  // Each one's message reaches the other two live.
  await sendMessage(alicePage, "who is in for Saturday?");
  await sendMessage(bobPage, "count me in");
  await sendMessage(carolPage, "me too");
  for (const page of [alicePage, bobPage, carolPage]) {
    await expectShownOnce(page, "who is in for Saturday?");
    await expectShownOnce(page, "count me in");
    await expectShownOnce(page, "me too");
  }
  await expect(firstRow(carolPage, "count me in")).toContainText(bob.displayName);

  // Bob replies to Alice's question: the quote names her and shows her words, for everyone.
  const question = firstRow(bobPage, "who is in for Saturday?");
  await question.click();
  await question.getByRole("button", { name: "Message actions" }).click();
  await question.getByRole("menuitem", { name: "Reply to message" }).click();
  await expect(bobPage.getByRole("group", { name: "Reply" })).toContainText("who is in for Saturday?");
  await sendMessage(bobPage, "Saturday morning suits me");
  for (const page of [alicePage, bobPage, carolPage]) {
    await expectShownOnce(page, "Saturday morning suits me");
    const quote = messageRows(page, "Saturday morning suits me").getByRole("button", {
      name: /who is in for Saturday/,
    });
    await expect(quote).toHaveAccessibleName(`${alice.displayName}: who is in for Saturday?`);
  }

  // Carol reacts to the question from the palette: one chip, counted and naming her, everywhere.
  const carolsView = firstRow(carolPage, "who is in for Saturday?");
  await carolsView.click();
  await carolsView.getByRole("button", { name: "Add reaction" }).click();
  await carolPage.getByRole("menuitem", { name: "React with party" }).click();
  await expect(carolsView.getByRole("button", { name: "🎉 1: You" })).toBeVisible();
  for (const page of [alicePage, bobPage]) {
    const chip = firstRow(page, "who is in for Saturday?").getByRole("button", { name: `🎉 1: ${carol.displayName}` });
    await expect(chip).toBeVisible();
    await expect(chip).toHaveText("🎉1");
  }

  // Carol only wants to hear of mentions, then leaves the group's page for the list in a background tab.
  await carolPage.getByRole("button", { name: /^Notifications:/ }).click();
  await carolPage.getByRole("menuitemradio", { name: "Only mentions" }).click();
  await expect(carolPage.getByRole("button", { name: "Notifications: only mentions" })).toBeVisible();
  await carolPage.goto("/");
  const carolsList = await conversationList(carolPage);
  const carolsGroupLine = carolsList.getByRole("link", { name: /Weekend plans/ });
  await setHidden(carolPage, true);

  // A message without a mention counts for nothing at that level.
  await sendMessage(alicePage, "I will book the cabin");
  await expect(carolsGroupLine).toContainText("I will book the cabin");
  await expect(carolsGroupLine.getByTestId("mention-count")).toHaveCount(0);

  // Alice mentions Carol through the composer's autocomplete.
  const composer = alicePage.getByRole("combobox", { name: "Message", exact: true });
  await composer.pressSequentially("can you drive, @" + carol.username.slice(0, 5));
  const suggestions = alicePage.getByRole("listbox", { name: "People to mention" });
  await expect(suggestions.getByRole("option", { name: new RegExp(carol.displayName) })).toBeVisible();
  await expect(suggestions.getByRole("option")).toHaveCount(1);
  await composer.press("Enter");
  await expect(suggestions).toBeHidden();
  await expect(composer).toHaveValue(`can you drive, @${carol.username} `);
  await composer.pressSequentially("?");
  await composer.press("Enter");
  const mentionText = `can you drive, @${carol.username} ?`;
  await expectShownOnce(alicePage, mentionText);

  await expect(carolsGroupLine.getByTestId("mention-count")).toHaveText("1");
  await expect
    .poll(() => notificationsOf(carolPage))
    .toEqual([{ title: "Weekend plans", body: mentionText }] satisfies RecordedNotification[]);

  // Alice renames the group: her own view and Bob's follow, with the system note.
  await alicePage.getByRole("button", { name: "Members" }).click();
  const members = alicePage.getByRole("dialog", { name: "Members of “Weekend plans”" });
  await members.getByLabel("Group name").fill("Cabin weekend");
  await members.getByRole("button", { name: "Rename" }).click();
  await expect(alicePage.getByRole("dialog", { name: "Members of “Cabin weekend”" })).toBeVisible();
  await alicePage.getByRole("button", { name: "Close" }).click();
  const renamed = `${alice.displayName} renamed the group to “Cabin weekend”`;
  for (const page of [alicePage, bobPage]) {
    await expect(page.getByRole("heading", { level: 1, name: "Cabin weekend" })).toBeVisible();
    await expect(systemNote(page, renamed)).toBeVisible();
  }
  // Carol's list follows too, though she is on another page.
  await expect(carolsList.getByRole("link", { name: /Cabin weekend/ })).toBeVisible();

  // Seen by: Bob has the group open and reads at once; Carol reads when she comes back to it.
  await sendMessage(alicePage, "see you at the cabin");
  await expectShownOnce(bobPage, "see you at the cabin");
  const seenBy = alicePage.getByTestId("seen-by");
  await expect(seenBy).toHaveText(`Seen by ${bob.displayName}`);
  await setHidden(carolPage, false);
  await openGroupFromList(carolPage, "Cabin weekend");
  await expect(systemNote(carolPage, renamed)).toBeVisible();
  await expectShownOnce(carolPage, "see you at the cabin");
  await expect(seenBy).toHaveText("Seen by everyone");

  // Alice removes Carol: Carol is told, and nothing said after that reaches her.
  await alicePage.getByRole("button", { name: "Members" }).click();
  await alicePage.getByRole("button", { name: `Remove ${carol.displayName}`, exact: true }).click();
  await alicePage
    .getByRole("group", { name: `Remove ${carol.displayName}?` })
    .getByRole("button", { name: `Remove ${carol.displayName}` })
    .click();
  await expect(alicePage.getByRole("dialog").getByRole("list", { name: "Members" }).getByRole("listitem")).toHaveCount(
    2,
  );
  await alicePage.getByRole("button", { name: "Close" }).click();
  await expect(carolPage.getByRole("alert")).toContainText("You are no longer a member of this group.");
  await expect(bobPage.getByText("2 members")).toBeVisible();
  await expect(systemNote(bobPage, `${alice.displayName} removed`)).toBeVisible();

  await sendMessage(alicePage, "just the two of us now");
  await expectShownOnce(bobPage, "just the two of us now");
  await expect(carolPage.getByText("just the two of us now")).toHaveCount(0);
  await expect(carolPage.getByRole("alert")).toContainText("You are no longer a member of this group.");
  // Nor does it show in her list, which keeps the group as it was when she left.
  await carolPage.getByRole("link", { name: "Back to conversations" }).click();
  await conversationList(carolPage);
  await expect(carolPage.getByText("just the two of us now")).toHaveCount(0);

  // Alice, an owner, deletes a message of Bob's (never editing it): it goes for him too.
  await sendMessage(bobPage, "off-topic rant");
  await expectShownOnce(alicePage, "off-topic rant");
  const rant = messageRows(alicePage, "off-topic rant");
  await rant.click();
  await rant.getByRole("button", { name: "Message actions" }).click();
  await expect(rant.getByRole("menuitem", { name: "Edit message" })).toHaveCount(0);
  await rant.getByRole("menuitem", { name: "Delete message" }).click();
  await rant.getByRole("button", { name: "Confirm delete" }).click();
  await expect(messageRows(bobPage, "off-topic rant")).toHaveCount(0);
  await expect(messageRows(bobPage, "Message deleted")).toHaveCount(1);
});
