import { act, renderHook } from "@testing-library/react";
import { StrictMode, type ReactNode } from "react";
import { Provider } from "react-redux";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedOut } from "../features/auth/authSlice";
import { selectConversationList } from "../features/conversations/selectors";
import { listPage, makeUser } from "../test/factories";
import { stubFetch } from "../test/fetchStub";
import { conversationsQuery, fetchQuery, useQuery, useQueryState, usersQuery } from "./parleyApi";
import { makeStore, type AppStore } from "./store";

const alice = makeUser({ id: "alice" });
const bob = makeUser({ id: "bob" });
const serverDown = { status: 500, body: { error: { code: "INTERNAL", message: "Database unavailable" } } };

function signedInStore() {
  return makeStore({ auth: { status: "signedIn", token: "t-alice", user: alice } });
}

function renderInStore<T>(store: AppStore, hook: () => T) {
  return renderHook(hook, {
    wrapper: ({ children }: { children: ReactNode }) => (
      <StrictMode>
        <Provider store={store}>{children}</Provider>
      </StrictMode>
    ),
  });
}

/** A fetch whose answers the test gives one by one, in the order the requests were made. */
function answerByHand() {
  const waiting: ((response: Response) => void)[] = [];
  const fetchMock = vi.fn(() => new Promise<Response>((resolve) => waiting.push(resolve)));
  vi.stubGlobal("fetch", fetchMock);
  return {
    fetchMock,
    answer(status: number, body: unknown) {
      const respond = waiting.shift();
      if (!respond) throw new Error("No request is waiting for an answer.");
      respond(new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the API cache", () => {
  it("asks once for any number of readers at once, and answers later readers from the cache", async () => {
    const fetchMock = stubFetch([{ path: "/api/users", body: { users: [bob] } }]);
    const store = signedInStore();
    const first = renderInStore(store, () => [useQuery(usersQuery, ""), useQuery(usersQuery, "")]);
    await vi.waitFor(() => expect(first.result.current[1]?.currentData).toEqual([bob]));

    const later = renderInStore(store, () => useQuery(usersQuery, ""));
    expect(later.result.current.currentData).toEqual([bob]);
    expect(fetchMock).toHaveBeenCalledOnce();
  });

  it("keeps an answer nobody reads for a minute, and one that is read for as long as it is", async () => {
    vi.useFakeTimers();
    const fetchMock = stubFetch([{ path: "/api/users", body: { users: [bob] } }]);
    const store = signedInStore();
    await store.dispatch(fetchQuery(usersQuery, ""));
    vi.advanceTimersByTime(59_999);
    expect(await store.dispatch(fetchQuery(usersQuery, ""))).toEqual({ data: [bob] });
    expect(fetchMock).toHaveBeenCalledTimes(1);

    vi.advanceTimersByTime(1);
    await store.dispatch(fetchQuery(usersQuery, ""));
    expect(fetchMock).toHaveBeenCalledTimes(2);

    const reader = renderInStore(store, () => useQuery(usersQuery, ""));
    vi.advanceTimersByTime(120_000);
    expect(reader.result.current.currentData).toEqual([bob]);
    reader.unmount();
    vi.advanceTimersByTime(59_999);
    await store.dispatch(fetchQuery(usersQuery, ""));
    expect(fetchMock).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1);
    await store.dispatch(fetchQuery(usersQuery, ""));
    expect(fetchMock).toHaveBeenCalledTimes(3);
  });

  it("keeps the answer while it is fetched again; after a failure, a retry is loading", async () => {
    const server = answerByHand();
    const store = signedInStore();
    const { result } = renderInStore(store, () => useQueryState(conversationsQuery, undefined));
    // The request starts (and the view shows it) before the test answers it.
    const fetchList = (refetch: boolean) => {
      let request: Promise<unknown> = Promise.resolve();
      act(() => {
        request = store.dispatch(fetchQuery(conversationsQuery, undefined, { refetch }));
      });
      return request;
    };
    expect(result.current).toMatchObject({ isLoading: true, isSuccess: false, isError: false });

    let request = fetchList(false);
    server.answer(200, listPage([]));
    await act(() => request);
    expect(result.current).toMatchObject({ currentData: listPage([]), isSuccess: true });

    request = fetchList(true);
    expect(result.current).toMatchObject({ currentData: listPage([]), isSuccess: true, isError: false });
    server.answer(500, serverDown.body);
    await act(() => request);
    expect(result.current).toMatchObject({ currentData: listPage([]), isSuccess: false, isError: true });
    expect(result.current.error).toMatchObject({ code: "INTERNAL" });

    request = fetchList(true);
    expect(result.current).toMatchObject({ isSuccess: false, isError: false });
    server.answer(200, listPage([]));
    await act(() => request);
    expect(result.current).toMatchObject({ isSuccess: true, isError: false });
  });

  it("forgets everything on sign-out, and an answer that comes after it changes nothing", async () => {
    const server = answerByHand();
    const store = signedInStore();
    const request = store.dispatch(fetchQuery(conversationsQuery, undefined));
    store.dispatch(signedOut());
    server.answer(
      200,
      listPage([
        {
          kind: "dm",
          mentionCount: 0,
          notify: "all",
          mutedUntil: null,
          conversationId: "dm:alice:bob",
          peer: bob,
          lastMessage: null,
          unreadCount: 0,
          readSeq: 0,
          peerReadSeq: 0,
          peerDeliveredSeq: 0,
        },
      ]),
    );
    expect(await request).toMatchObject({ data: { conversations: [{ peer: bob }] } });
    expect(store.getState().api).toEqual({});
    expect(selectConversationList(store.getState())).toEqual([]);
  });
});
