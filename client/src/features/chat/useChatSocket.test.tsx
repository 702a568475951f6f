import { act, screen } from "@testing-library/react";
import { StrictMode } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { conversationIdFor, type Message } from "../../../../shared/protocol";
import { makeMessage, makeUser } from "../../test/factories";
import { renderWithProviders } from "../../test/renderWithProviders";
import { Composer } from "./Composer";
import { ConnectionStatus } from "./ConnectionStatus";
import { MessageList } from "./MessageList";
import { useChatSocket } from "./useChatSocket";

type Handler = (...args: never[]) => void;
type Emitted = { event: string; payload: unknown; ack?: (...args: unknown[]) => void };

/** Stands in for a Socket.IO client socket: records listeners and emits, lets the test play the server. */
class FakeSocket {
  readonly listeners = new Map<string, Set<Handler>>();
  readonly emitted: Emitted[] = [];
  connected = false;
  active = true;

  constructor(readonly options: unknown) {}

  on(event: string, handler: Handler) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)?.add(handler);
    return this;
  }
  off(event: string, handler: Handler) {
    this.listeners.get(event)?.delete(handler);
    return this;
  }
  timeout() {
    return this;
  }
  emit(event: string, payload: unknown, ack?: (...args: unknown[]) => void) {
    this.emitted.push({ event, payload, ack });
    return this;
  }
  disconnect() {
    this.connected = false;
    this.active = false;
    return this;
  }

  listenerCount(): number {
    return [...this.listeners.values()].reduce((sum, set) => sum + set.size, 0);
  }
  serve(event: string, ...args: unknown[]) {
    act(() => {
      for (const handler of this.listeners.get(event) ?? []) (handler as (...a: unknown[]) => void)(...args);
    });
  }
  connectNow() {
    this.connected = true;
    this.serve("connect");
  }
  last(event: string): Emitted {
    const found = this.emitted.filter((e) => e.event === event).at(-1);
    if (!found) throw new Error(`nothing emitted as ${event}`);
    return found;
  }
  answer(emitted: Emitted, response: unknown) {
    act(() => emitted.ack?.(null, response));
  }
}

const sockets = vi.hoisted(() => [] as FakeSocket[]);
vi.mock("socket.io-client", () => ({
  io: (options: unknown) => {
    const socket = new FakeSocket(options);
    sockets.push(socket);
    return socket;
  },
}));

const ME = makeUser({ id: "alice" });
const PEER = makeUser({ id: "bob" });
const CONVERSATION = conversationIdFor(ME.id, PEER.id);

function Chat({ peerId }: { peerId: string }) {
  const { send, retry } = useChatSocket(peerId, ME.id);
  return (
    <>
      <ConnectionStatus />
      <MessageList
        conversationId={conversationIdFor(ME.id, peerId)}
        selfId={ME.id}
        onRetry={retry}
        hasOlder={false}
        loadingOlder={false}
        onLoadOlder={() => {}}
      />
      <Composer onSend={send} />
    </>
  );
}

function renderChat(peerId = PEER.id) {
  return renderWithProviders(
    <StrictMode>
      <Chat peerId={peerId} />
    </StrictMode>,
    { preloadedState: { auth: { status: "signedIn", token: "t-alice", user: ME } } },
  );
}

function liveSocket(): FakeSocket {
  const live = sockets.filter((socket) => socket.active);
  expect(live).toHaveLength(1);
  return live[0]!;
}

function joinResult(messages: Message[]) {
  return {
    ok: true,
    conversationId: CONVERSATION,
    peer: PEER,
    messages,
    hasMore: false,
    readSeq: 0,
    peerReadSeq: 0,
    peerDeliveredSeq: 0,
  };
}

beforeEach(() => {
  sockets.length = 0;
});

describe("useChatSocket", () => {
  it("keeps exactly one live socket under StrictMode, and closes it with its listeners on unmount", () => {
    const { unmount } = renderChat();
    const socket = liveSocket();
    expect(sockets.filter((other) => other !== socket).every((other) => other.listenerCount() === 0)).toBe(true);
    expect(socket.options).toMatchObject({ auth: { token: "t-alice" }, forceNew: true });
    expect(screen.getByTestId("connection-status")).toHaveTextContent("Connecting…");
    socket.connectNow();

    unmount();
    expect(socket).toMatchObject({ active: false });
    expect(socket.listenerCount()).toBe(0);
    expect(socket.last("conversation:leave").payload).toEqual({ peerId: PEER.id });
  });

  it("joins on connect, sends optimistically, and settles each message once", async () => {
    const { user } = renderChat();
    const socket = liveSocket();
    socket.connectNow();
    expect(screen.getByTestId("connection-status")).toHaveTextContent("Connected");
    const join = socket.last("conversation:join");
    expect(join.payload).toEqual({ peerId: PEER.id });
    socket.answer(join, joinResult([makeMessage({ seq: 1, senderId: PEER.id, recipientId: ME.id, body: "hi alice" })]));

    await user.type(screen.getByLabelText("Message"), "hi bob{Enter}");
    const send = socket.last("message:send");
    const { clientId } = send.payload as { clientId: string };
    expect(send.payload).toEqual({ peerId: PEER.id, clientId, body: "hi bob" });
    expect(screen.getAllByTestId("message").map((row) => row.dataset.status)).toEqual(["sent", "pending"]);

    const stored = makeMessage({ seq: 2, clientId, senderId: ME.id, recipientId: PEER.id, body: "hi bob" });
    socket.serve("message:new", stored);
    socket.answer(send, { ok: true, message: stored });
    socket.serve("message:new", stored);
    expect(screen.getAllByTestId("message").map((row) => [row.dataset.status, row.dataset.seq])).toEqual([
      ["sent", "1"],
      ["sent", "2"],
    ]);
  });

  it("shows a reconnect, then rejoins after the highest contiguous seq held and resends unsettled messages", async () => {
    const { user } = renderChat();
    const socket = liveSocket();
    socket.connectNow();
    socket.answer(
      socket.last("conversation:join"),
      joinResult([1, 2].map((seq) => makeMessage({ seq, senderId: PEER.id, recipientId: ME.id }))),
    );
    await user.type(screen.getByLabelText("Message"), "during the drop{Enter}");
    const firstAttempt = socket.last("message:send");

    socket.connected = false;
    socket.serve("disconnect", "transport close");
    expect(screen.getByTestId("connection-status")).toHaveTextContent("Reconnecting…");
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();

    socket.connectNow();
    const rejoin = socket.last("conversation:join");
    expect(rejoin.payload).toEqual({ peerId: PEER.id, afterSeq: 2 });
    socket.answer(rejoin, joinResult([]));
    expect(socket.last("message:send")).not.toBe(firstAttempt);
    expect(socket.last("message:send").payload).toEqual(firstAttempt.payload);
  });

  it("signs out when the server refuses the token", () => {
    const { store } = renderChat();
    liveSocket().serve("connect_error", new Error("UNAUTHORIZED"));
    expect(store.getState().auth.status).toBe("signedOut");
  });

  it("closes the socket of the previous peer when the route switches, leaving its room", () => {
    const { rerender } = renderChat();
    const first = liveSocket();
    first.connectNow();

    rerender(
      <StrictMode>
        <Chat peerId="carol" />
      </StrictMode>,
    );
    expect(first).toMatchObject({ active: false });
    expect(first.listenerCount()).toBe(0);
    expect(first.last("conversation:leave").payload).toEqual({ peerId: PEER.id });
    liveSocket().connectNow();
    expect(liveSocket().last("conversation:join").payload).toEqual({ peerId: "carol" });
  });
});
