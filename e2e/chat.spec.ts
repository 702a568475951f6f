import {
  expect,
  expectShownOnce,
  makeUser,
  messageRows,
  openChatPair,
  openChatWith,
  sendMessage,
  signUp,
  test,
} from "./support";

test("two users exchange messages both ways, each shown exactly once, and a reload keeps the history", async ({
  newUserPage,
}) => {
  const { alicePage, bobPage } = await openChatPair(newUserPage);

  const texts: string[] = [];
  for (let i = 1; i <= 3; i++) {
    const fromAlice = `hello bob #${i}`;
    await sendMessage(alicePage, fromAlice);
    await expectShownOnce(alicePage, fromAlice);
    await expectShownOnce(bobPage, fromAlice);
    const fromBob = `hi alice #${i}`;
    await sendMessage(bobPage, fromBob);
    await expectShownOnce(bobPage, fromBob);
    await expectShownOnce(alicePage, fromBob);
    texts.push(fromAlice, fromBob);
  }

  // Sides are decided by the sender: my bubbles at the end, the peer's at the start.
  await expect(messageRows(alicePage, "hello bob #1")).toHaveClass(/chat-end/);
  await expect(messageRows(bobPage, "hello bob #1")).toHaveClass(/chat-start/);

  // Text is rendered as text, never as HTML.
  const markup = '<img src=x onerror="window.__pwned=1"><b>bold?</b>';
  await sendMessage(alicePage, markup);
  await expectShownOnce(bobPage, markup);
  expect(await bobPage.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  texts.push(markup);

  await bobPage.reload();
  await expect(bobPage.getByTestId("message")).toHaveCount(texts.length);
  await expect(bobPage.getByTestId("message")).toHaveText(texts.map((t) => new RegExp(escapeRegExp(t))));
});

test("the same user in two tabs sees every message once in each", async ({ newUserPage }) => {
  const carol = makeUser("Carol");
  const dave = makeUser("Dave");
  const carolTab1 = await newUserPage();
  // "Keep me signed in" shares the session with the context's other tabs.
  await signUp(carolTab1, carol, { keepSignedIn: true });
  const carolTab2 = await carolTab1.context().newPage();
  const davePage = await newUserPage();
  await signUp(davePage, dave);

  await openChatWith(carolTab1, dave);
  await openChatWith(carolTab2, dave);
  await openChatWith(davePage, carol);

  await sendMessage(carolTab1, "from carol's first tab");
  await sendMessage(davePage, "from dave");
  await sendMessage(carolTab2, "from carol's second tab");

  for (const page of [carolTab1, carolTab2, davePage]) {
    await expectShownOnce(page, "from carol's first tab");
    await expectShownOnce(page, "from dave");
    await expectShownOnce(page, "from carol's second tab");
    await expect(page.getByTestId("message")).toHaveCount(3);
  }
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
