import { unwrap } from "../api/http";
import { requestChanges, requestMessagesAfter } from "../app/parleyApi";
import type { AppDispatch, RootState } from "../app/store";
import { changesCaughtUp, changesLoaded, missedMessagesLoaded } from "../features/chat/chatSlice";
import { selectGapStart } from "../features/chat/selectors";

export type CatchUpDeps = {
  dispatch: AppDispatch;
  getState: () => RootState;
  /** The `:ref` of the conversation's paths: the peer's id or the conversation id. */
  ref: string;
  conversationId: string;
  /** False once the socket that started the work is closed: nothing late is dispatched. */
  isActive: () => boolean;
};

export type CatchUp = {
  /** Messages after `afterSeq`, page by page over HTTP (`seq` catch-up beyond what the join carried). */
  fetchMissed(afterSeq: number): Promise<void>;
  /** Changes the join could not carry, page by page; only once all are in does the sync point move to `rev`. */
  fetchChanges(sinceRev: number, uptoSeq: number, rev: number): Promise<void>;
  /** A live message skipped some seqs (a drop the socket did not notice): fetch the hole over HTTP. */
  fillGap(): void;
};

/** Gap fill by `seq` and changes by `rev` for one open conversation (PROTOCOL.md, catch-up). */
export function createCatchUp({ dispatch, getState, ref, conversationId, isActive }: CatchUpDeps): CatchUp {
  let fillingGap = false;

  async function fetchMissed(afterSeq: number) {
    let cursor = afterSeq;
    for (;;) {
      const page = unwrap(await dispatch(requestMessagesAfter(ref, cursor)));
      if (!isActive()) return;
      dispatch(missedMessagesLoaded({ conversationId, messages: page.messages }));
      const last = page.messages.at(-1);
      if (!page.hasMore || last === undefined) return;
      cursor = last.seq;
    }
  }

  async function fetchChanges(sinceRev: number, uptoSeq: number, rev: number) {
    let cursor = sinceRev;
    for (;;) {
      const page = unwrap(await dispatch(requestChanges(ref, cursor, uptoSeq)));
      if (!isActive()) return;
      dispatch(changesLoaded({ conversationId, messages: page.messages }));
      const last = page.messages.at(-1);
      if (!page.hasMore || last === undefined) break;
      cursor = last.rev;
    }
    dispatch(changesCaughtUp({ conversationId, rev }));
  }

  function fillGap() {
    const afterSeq = selectGapStart(getState(), conversationId);
    if (afterSeq === undefined || fillingGap) return;
    fillingGap = true;
    fetchMissed(afterSeq).then(
      () => {
        fillingGap = false;
        if (isActive()) fillGap();
      },
      // The next (re)join catches up from the same point.
      () => {
        fillingGap = false;
      },
    );
  }

  return { fetchMissed, fetchChanges, fillGap };
}
