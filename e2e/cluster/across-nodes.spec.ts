import type { Page } from "@playwright/test";
import { NODE_COOKIE } from "../../scripts/nginx";
import {
  chooseMessageAction,
  expect,
  expectShownOnce,
  makeUser,
  messageRows,
  openChatWith,
  sendMessage,
  signIn,
  signUp,
  test,
} from "../support";

test.skip(!!process.env.CLUSTER_UNAVAILABLE, process.env.CLUSTER_UNAVAILABLE);

/** Each node's own URL, bypassing nginx (from the global setup). */
const nodeUrls = JSON.parse(process.env.CLUSTER_NODES ?? "{}") as Record<string, string>;

/** A node's own count of connected sockets, read from it directly (nginx does not serve /metrics). */
async function socketsOn(node: string): Promise<number> {
  const text = await (await fetch(`${nodeUrls[node]}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("parley_sockets_connected "));
  if (!line) throw new Error("parley_sockets_connected is missing from /metrics");
  return Number(line.split(" ")[1]);
}

test("users on different nodes chat through nginx, and a second tab on the other node stays in step", async ({
  newUserPage,
  baseURL,
}) => {
  // Every page goes through nginx; the routing cookie nginx sets itself is preset to pin a browser to a node.
  const pinnedPage = async (node: string): Promise<Page> => {
    const page = await newUserPage();
    await page.context().addCookies([{ name: NODE_COOKIE, value: node, url: baseURL! }]);
    return page;
  };
  const alice = makeUser("Alice");
  const bob = makeUser("Bob");
  const aliceOn1 = await pinnedPage("node1");
  const bobOn2 = await pinnedPage("node2");
  await signUp(aliceOn1, alice);
  await signUp(bobOn2, bob);
  // Alice's second tab: a browser of its own, so it can carry the other node's cookie.
  const aliceOn2 = await pinnedPage("node2");
  await signIn(aliceOn2, alice);
  for (const page of [aliceOn1, aliceOn2]) await openChatWith(page, bob);
  await openChatWith(bobOn2, alice);
  await expect.poll(() => socketsOn("node1")).toBe(1);
  await expect.poll(() => socketsOn("node2")).toBe(2);
  const everyone = [aliceOn1, aliceOn2, bobOn2];

  // Typing crosses nodes, to both of Alice's tabs.
  await bobOn2.getByRole("combobox", { name: "Message", exact: true }).pressSequentially("on node 2");
  for (const page of [aliceOn1, aliceOn2])
    await expect(page.getByTestId("typing-indicator")).toContainText("is typing");
  await aliceOn1.getByRole("combobox", { name: "Message", exact: true }).pressSequentially("on node 1");
  await expect(bobOn2.getByTestId("typing-indicator")).toContainText("is typing");

  const sends: [Page, string][] = [
    [aliceOn1, "hello from node 1"],
    [bobOn2, "hi from node 2"],
    [aliceOn2, "and from my other tab"],
  ];
  // Each acked before the next is typed, so their order is known.
  for (const [page, text] of sends) {
    await sendMessage(page, text);
    await expectShownOnce(page, text);
  }
  const texts = sends.map(([, text]) => text);
  for (const page of everyone) {
    for (const text of texts) await expectShownOnce(page, text);
    // The same order everywhere: the server's seq.
    await expect(page.getByTestId("message")).toHaveText(texts.map((text) => new RegExp(text)));
  }
  for (const page of [aliceOn1, bobOn2]) await expect(page.getByTestId("typing-indicator")).toBeHidden();

  // Both read everything: the receipts reach the sender's tabs on either node.
  for (const page of [aliceOn1, aliceOn2]) {
    await expect(messageRows(page, "hello from node 1")).toHaveAttribute("data-delivery", "read");
    await expect(messageRows(page, "and from my other tab")).toHaveAttribute("data-delivery", "read");
  }
  await expect(messageRows(bobOn2, "hi from node 2")).toHaveAttribute("data-delivery", "read");

  // An edit on node 1 reaches Bob and Alice's other tab on node 2.
  await chooseMessageAction(messageRows(aliceOn1, "hello from node 1"), "Edit message");
  const editor = aliceOn1.getByRole("textbox", { name: "Edit message text" });
  await editor.fill("hello, edited on node 1");
  await editor.press("Enter");
  for (const page of everyone) {
    const edited = messageRows(page, "hello, edited on node 1");
    await expect(edited).toHaveCount(1);
    await expect(edited.getByTestId("edited-mark")).toBeVisible();
    await expect(messageRows(page, "hello from node 1")).toHaveCount(0);
  }
});
