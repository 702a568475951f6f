import type { APIRequestContext } from "@playwright/test";
import { expect, makeUser, registerViaApi, seedMessages, signInWithToken, test } from "./support";

/** The server's own count of connected sockets, from /metrics. */
async function connectedSockets(request: APIRequestContext): Promise<number> {
  const text = await (await request.get("/metrics")).text();
  const line = text.split("\n").find((l) => l.startsWith("parley_sockets_connected "));
  if (!line) throw new Error("parley_sockets_connected is missing from /metrics");
  return Number(line.split(" ")[1]);
}

test("switching conversations rapidly 20 times leaves exactly one connected socket", async ({
  newUserPage,
  request,
  baseURL,
}) => {
  const erin = await registerViaApi(request, makeUser("Erin"));
  const peers = [await registerViaApi(request, makeUser("Frank")), await registerViaApi(request, makeUser("Grace"))];
  // A message from each puts both in Erin's conversation list, whatever else the database holds.
  for (const peer of peers) await seedMessages(baseURL!, peer, erin, 1);
  const page = await newUserPage();
  await signInWithToken(page, erin.token);
  await page.goto(`/chat/${peers[0]!.user.id}`);
  await expect(page.getByRole("heading", { level: 1, name: peers[0]!.user.displayName })).toBeVisible();
  await expect.poll(() => connectedSockets(request)).toBe(1);

  const nav = page.getByRole("navigation", { name: "Conversations" });
  for (let i = 1; i <= 20; i++) {
    const peer = peers[i % 2]!.user;
    await nav
      .getByRole("link", { name: new RegExp(peer.displayName) })
      .first()
      .click();
    await expect(page.getByRole("heading", { level: 1, name: peer.displayName })).toBeVisible();
  }
  await expect(page.getByTestId("connection-status")).toHaveText("Connected");
  await expect.poll(() => connectedSockets(request)).toBe(1);

  await page.context().close();
  await expect.poll(() => connectedSockets(request)).toBe(0);
});

test("home → chat → another chat → home, 20 times, leaves one connected socket: the home page's", async ({
  newUserPage,
  request,
  baseURL,
}) => {
  const erin = await registerViaApi(request, makeUser("Erin"));
  const peers = [await registerViaApi(request, makeUser("Frank")), await registerViaApi(request, makeUser("Grace"))];
  for (const peer of peers) await seedMessages(baseURL!, peer, erin, 1);
  const page = await newUserPage();
  await signInWithToken(page, erin.token);
  await page.goto("/");
  await expect.poll(() => connectedSockets(request)).toBe(1);

  const heading = (name: string) => page.getByRole("heading", { level: 1, name });
  for (let i = 1; i <= 20; i++) {
    await page
      .getByRole("link", { name: new RegExp(peers[0]!.user.displayName) })
      .first()
      .click();
    await expect(heading(peers[0]!.user.displayName)).toBeVisible();
    await page
      .getByRole("navigation", { name: "Conversations" })
      .getByRole("link", { name: new RegExp(peers[1]!.user.displayName) })
      .first()
      .click();
    await expect(heading(peers[1]!.user.displayName)).toBeVisible();
    await page.getByRole("link", { name: "Back to home" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Parley" })).toBeVisible();
  }
  await expect.poll(() => connectedSockets(request)).toBe(1);

  await page.context().close();
  await expect.poll(() => connectedSockets(request)).toBe(0);
});
