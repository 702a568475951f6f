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

test("the row being read stays in place while older pages load above it and their rows are measured", async ({
  newUserPage,
  request,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const { bob, page } = await aliceWithHistory({ newUserPage, request, baseURL }, 400);
  await page.goto(`/chat/${bob.user.id}`);
  const log = page.getByRole("log", { name: "Messages" });
  await expect(log.locator('[data-testid="message"][data-seq="400"]')).toBeInViewport();

  // Scrolls up 40 px every other frame, as a reader would, until the first message shows; at every step the topmost
  // visible message must have moved down by the scrolled distance, whatever was prepended or measured meanwhile.
  const steps = await log.evaluate(async (scroller) => {
    const offsetOf = (row: Element) => row.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    const result: { seq: number; moved: number; scrolled: number }[] = [];
    // Away from the bottom first: within 64 px of it the log follows the newest message instead.
    scroller.scrollTop -= 200;
    await frame();
    while (!scroller.querySelector('[data-testid="message"][data-seq="1"]') && result.length < 2000) {
      const anchor = [...scroller.querySelectorAll<HTMLElement>('[data-testid="message"]')]
        .filter((row) => offsetOf(row) >= 0)
        .sort((a, b) => offsetOf(a) - offsetOf(b))[0]!;
      const before = offsetOf(anchor);
      const scrolled = Math.min(40, scroller.scrollTop);
      scroller.scrollTop -= scrolled;
      await frame();
      await frame();
      const after = scroller.querySelector(`[data-testid="message"][data-seq="${anchor.dataset.seq}"]`);
      if (after) result.push({ seq: Number(anchor.dataset.seq), moved: offsetOf(after) - before, scrolled });
    }
    return result;
  });

  expect(steps.at(-1)?.seq).toBeLessThan(60);
  for (const step of steps) expect(Math.abs(step.moved - step.scrolled), `message ${step.seq}`).toBeLessThanOrEqual(1);
});
