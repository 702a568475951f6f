import type { Page } from "@playwright/test";
import { aliceWithHistory, expect, sendViaSocket, test } from "./support";

const TOTAL = 10_000;

/** What the probe below records in the page; times are performance.now() in ms. */
type Probe = {
  commits: number;
  /** Every message row React rendered in a commit, in order; `mount` when it was new to the DOM. */
  rendered: { seq: number; mount: boolean }[];
  joinAnsweredAt: number | null;
  firstRowsAt: number | null;
  lastMessageNewAt: number | null;
  /** When each seq's row was first committed. */
  committedAt: Record<number, number>;
};

/**
 * Counts the message rows React renders, in the production build and without any code in the app: React
 * reports every commit to the DevTools hook, and a function component that rendered has a new hook list
 * (one that bailed out keeps its old one). Also timestamps the socket frames the rows answer to.
 */
function installRenderProbe() {
  const probe: Probe = {
    commits: 0,
    rendered: [],
    joinAnsweredAt: null,
    firstRowsAt: null,
    lastMessageNewAt: null,
    committedAt: {},
  };
  const seenHooks = new WeakSet<object>();
  type Fiber = {
    tag: number;
    type: unknown;
    memoizedProps: Record<string, unknown> | null;
    memoizedState: unknown;
    alternate: unknown;
    child: Fiber | null;
    sibling: Fiber | null;
    return: Fiber | null;
  };
  // FunctionComponent, ForwardRef, SimpleMemoComponent: the component that renders the row's element.
  const COMPONENT_TAGS = new Set([0, 11, 15]);

  function visitRows(fiber: Fiber | null, visit: (row: Fiber, seq: number) => void) {
    for (let node = fiber; node !== null; node = node.sibling) {
      const props = node.memoizedProps;
      if (typeof node.type === "string" && props?.["data-testid"] === "message" && props["data-seq"] !== undefined) {
        let owner = node.return;
        while (owner !== null && !COMPONENT_TAGS.has(owner.tag)) owner = owner.return;
        if (owner !== null) visit(owner, Number(props["data-seq"]));
      }
      visitRows(node.child, visit);
    }
  }

  Object.assign(window, {
    __renderProbe: probe,
    __REACT_DEVTOOLS_GLOBAL_HOOK__: {
      supportsFiber: true,
      renderers: new Map(),
      inject() {
        return 1;
      },
      checkDCE() {},
      onCommitFiberRoot(_rendererId: number, root: { current: Fiber }) {
        const now = performance.now();
        probe.commits++;
        visitRows(root.current, (row, seq) => {
          probe.firstRowsAt ??= now;
          probe.committedAt[seq] ??= now;
          const hooks = row.memoizedState;
          if (typeof hooks === "object" && hooks !== null && !seenHooks.has(hooks)) {
            seenHooks.add(hooks);
            probe.rendered.push({ seq, mount: row.alternate === null });
          }
        });
      },
      onCommitFiberUnmount() {},
      onPostCommitFiberRoot() {},
      onScheduleFiberRoot() {},
      setStrictMode() {},
    },
  });

  // Our listener is added before socket.io's own, so the time is taken before the frame is handled.
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.addEventListener("message", (event: MessageEvent) => {
        if (typeof event.data !== "string") return;
        if (event.data.includes('"changedHasMore"')) probe.joinAnsweredAt ??= performance.now();
        if (event.data.includes('"message:new"')) probe.lastMessageNewAt = performance.now();
      });
    }
  };
}

function readProbe(page: Page): Promise<Probe> {
  return page.evaluate(() => (window as unknown as { __renderProbe: Probe }).__renderProbe);
}

/** Settled: no commit during two animation frames (the virtualizer measures rows a frame after they mount). */
async function untilSettled(page: Page): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate(async () => {
        const probe = (window as unknown as { __renderProbe: Probe }).__renderProbe;
        const before = probe.commits;
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        return probe.commits === before;
      }),
    )
    .toBe(true);
}

test(`a ${TOTAL}-message conversation opens with its newest rows, and a new message renders only its own row and the tab stop's`, async ({
  newUserPage,
  request,
  baseURL,
}) => {
  test.setTimeout(300_000);
  const { alice, bob, page } = await aliceWithHistory({ newUserPage, request, baseURL }, TOTAL);
  await page.addInitScript(installRenderProbe);
  await page.goto(`/chat/${bob.user.id}`);

  const log = page.getByRole("log", { name: "Messages" });
  await expect(log.locator(`[data-testid="message"][data-seq="${TOTAL}"]`)).toBeInViewport();
  await untilSettled(page);
  const opened = await readProbe(page);
  expect(opened.joinAnsweredAt).not.toBeNull();
  expect(opened.firstRowsAt).not.toBeNull();
  const navigationToRows = opened.firstRowsAt!;
  const joinToRows = opened.firstRowsAt! - opened.joinAnsweredAt!;

  await sendViaSocket(baseURL!, bob, alice, "one more");
  const newSeq = TOTAL + 1;
  await expect(log.locator(`[data-testid="message"][data-seq="${newSeq}"]`)).toBeInViewport();
  await untilSettled(page);
  const appended = await readProbe(page);
  const byAppend = appended.rendered.slice(opened.rendered.length);
  const seqs = (mount: boolean) =>
    byAppend
      .filter((row) => row.mount === mount)
      .map((row) => row.seq)
      .toSorted((a, b) => a - b);
  const arrivalToRow = appended.committedAt[newSeq]! - appended.lastMessageNewAt!;

  const rowsOnOpen = new Set(opened.rendered.map((row) => row.seq)).size;
  console.log(
    `render-perf: ${TOTAL} messages; navigation -> first rows ${navigationToRows.toFixed(0)} ms; ` +
      `join answer -> first rows ${joinToRows.toFixed(0)} ms (${rowsOnOpen} rows rendered); ` +
      `message:new -> its row ${arrivalToRow.toFixed(1)} ms; ` +
      `rows the append re-rendered: [${seqs(false).join(", ")}], mounted: [${seqs(true).join(", ")}]`,
  );
  // Times are reported, not asserted: they depend on the machine. What rendered is not. The new row mounts (and
  // so may a row scrolling into the virtualizer's window as the log follows it down); of the rows already
  // there only the one that was newest renders again, as it hands the new row the log's tab stop.
  expect(seqs(true)).toContain(newSeq);
  expect(seqs(false)).toEqual([newSeq - 1]);
});
