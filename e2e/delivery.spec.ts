import type { Page } from "@playwright/test";
import { expect, expectShownOnce, makeUser, messageRows, openChatWith, sendMessage, signUp, test } from "./support";

function conversationLink(page: Page, displayName: string) {
  return page.getByRole("navigation", { name: "Conversations" }).getByRole("link", { name: new RegExp(displayName) });
}

test("messages sent offline wait as pending, arrive once and in order, and their ticks advance to delivered, then read", async ({
  newUserPage,
}) => {
  const alice = makeUser("Alice");
  const bob = makeUser("Bob");
  const carol = makeUser("Carol");
  const alicePage = await newUserPage();
  const bobPage = await newUserPage();
  await signUp(alicePage, alice);
  await signUp(bobPage, bob);
  await signUp(await newUserPage(), carol);

  // Bob is online but looking at another conversation: his client still receives Alice's messages.
  await openChatWith(bobPage, carol);
  await openChatWith(alicePage, bob);

  await alicePage.context().setOffline(true);
  await expect(alicePage.getByTestId("connection-status")).toHaveText("Offline");
  const texts = ["first while offline", "second while offline", "third while offline"];
  for (const text of texts) await sendMessage(alicePage, text);
  for (const text of texts) await expect(messageRows(alicePage, text)).toHaveAttribute("data-delivery", "pending");

  await alicePage.context().setOffline(false);
  await expect(alicePage.getByTestId("connection-status")).toHaveText("Connected");
  for (const text of texts) {
    await expectShownOnce(alicePage, text);
    await expect(messageRows(alicePage, text)).toHaveAttribute("data-delivery", "delivered");
  }
  await expect(conversationLink(bobPage, alice.displayName).getByTestId("unread-count")).toHaveText("3");

  await conversationLink(bobPage, alice.displayName).click();
  for (const text of texts) await expectShownOnce(bobPage, text);
  await expect(bobPage.getByTestId("message")).toHaveText(texts.map((text) => new RegExp(text)));
  const seqs = await bobPage.getByTestId("message").evaluateAll((rows) => rows.map((row) => Number(row.dataset.seq)));
  expect(seqs).toEqual([1, 2, 3]);

  for (const text of texts) await expect(messageRows(alicePage, text)).toHaveAttribute("data-delivery", "read");
});

test("unread badges and the title count update live and clear when the conversation is opened, in every tab", async ({
  newUserPage,
}) => {
  const alice = makeUser("Alice");
  const bob = makeUser("Bob");
  const carol = makeUser("Carol");
  const aliceTab1 = await newUserPage();
  await signUp(aliceTab1, alice, { keepSignedIn: true });
  const aliceTab2 = await aliceTab1.context().newPage();
  const bobPage = await newUserPage();
  await signUp(bobPage, bob);
  await signUp(await newUserPage(), carol);

  // Both of Alice's tabs sit in another conversation.
  await openChatWith(aliceTab1, carol);
  await openChatWith(aliceTab2, carol);
  await openChatWith(bobPage, alice);

  await sendMessage(bobPage, "are you there?");
  await sendMessage(bobPage, "ping");
  await expectShownOnce(bobPage, "ping");

  for (const tab of [aliceTab1, aliceTab2]) {
    await expect(conversationLink(tab, bob.displayName).getByTestId("unread-count")).toHaveText("2");
    await expect(tab).toHaveTitle(/^\(2\) Parley$/);
  }

  await conversationLink(aliceTab1, bob.displayName).click();
  await expectShownOnce(aliceTab1, "ping");

  for (const tab of [aliceTab1, aliceTab2]) {
    await expect(conversationLink(tab, bob.displayName).getByTestId("unread-count")).toHaveCount(0);
    await expect(tab).toHaveTitle("Parley");
  }
});
