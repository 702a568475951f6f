import { aliceWithHistory, expect, test } from "./support";

const TOTAL = 2000;
/** "About 100" rows at most: the virtualized list renders the viewport plus a small overscan. */
const MAX_ROWS = 100;

test(`a ${TOTAL}-message conversation opens at the bottom, scrolls to the top through every page, and never holds more than ${MAX_ROWS} rows`, async ({
  newUserPage,
  request,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const { bob, page } = await aliceWithHistory({ newUserPage, request, baseURL }, TOTAL);
  // Counts message rows at every DOM change, not only when the test looks.
  await page.addInitScript(() => {
    const record = () => {
      const rows = document.querySelectorAll('[data-testid="message"]').length;
      const w = window as unknown as { __maxRows?: number };
      w.__maxRows = Math.max(w.__maxRows ?? 0, rows);
    };
    new MutationObserver(record).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`/chat/${bob.user.id}`);

  const log = page.getByRole("log", { name: "Messages" });
  const newest = log.locator(`[data-testid="message"][data-seq="${TOTAL}"]`);
  await expect(newest).toBeInViewport();

  const oldestRendered = () =>
    log
      .getByTestId("message")
      .evaluateAll((rows) => Math.min(...rows.map((row) => Number((row as HTMLElement).dataset.seq))));
  let oldest = await oldestRendered();
  while (oldest > 1) {
    const before = oldest;
    // Scroll to the top until older rows show up (a page loads, or the virtualizer renders the rows above).
    await expect
      .poll(async () => {
        await log.evaluate((element) => element.scrollTo({ top: 0 }));
        return oldestRendered();
      })
      .toBeLessThan(before);
    oldest = await oldestRendered();
  }
  await expect(log.locator('[data-testid="message"][data-seq="1"]')).toBeVisible();

  const maxRows = await page.evaluate(() => (window as unknown as { __maxRows?: number }).__maxRows ?? 0);
  expect(maxRows).toBeGreaterThan(10);
  expect(maxRows).toBeLessThanOrEqual(MAX_ROWS);
});
