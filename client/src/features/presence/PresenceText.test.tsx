import { act, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeUser } from "../../test/factories";
import { renderWithProviders } from "../../test/renderWithProviders";
import { presenceReceived } from "./presenceSlice";
import { PresenceText } from "./PresenceDot";

const seenAt = new Date("2025-03-10T12:00:00Z");

beforeEach(() => {
  vi.useFakeTimers({ now: seenAt.getTime() + 20_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("PresenceText", () => {
  it("starts from the API's user, follows presence events, and ages as time passes", async () => {
    const bob = makeUser({ id: "bob", online: true });
    const { store } = renderWithProviders(<PresenceText user={bob} testId="peer-presence" />);
    expect(screen.getByTestId("peer-presence")).toHaveTextContent(/^Online$/);

    act(() => {
      store.dispatch(presenceReceived({ userId: "bob", online: false, lastSeenAt: seenAt.toISOString() }));
    });
    expect(screen.getByTestId("peer-presence")).toHaveTextContent("Last seen just now");

    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(screen.getByTestId("peer-presence")).toHaveTextContent("Last seen 1 min ago");
  });
});
