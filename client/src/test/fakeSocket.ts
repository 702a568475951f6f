import { act } from "@testing-library/react";

// Stands in for socket.io-client in tests of the route sockets: each test file mocks the module with
//   vi.mock("socket.io-client", async () => (await import("../test/fakeSocket")).socketIoStub);
// and plays the server through the sockets it created.

type Handler = (...args: never[]) => void;
type Emitted = { event: string; payload: unknown; ack?: (...args: unknown[]) => void };

/** Records listeners; stands in for the Manager (`socket.io`), whose listeners are all that matter here. */
class FakeEmitter {
  readonly listeners = new Map<string, Set<Handler>>();

  on(event: string, handler: Handler) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)?.add(handler);
    return this;
  }
  off(event: string, handler: Handler) {
    this.listeners.get(event)?.delete(handler);
    return this;
  }
}

/** Stands in for a Socket.IO client socket: records listeners and emits, lets the test play the server. */
export class FakeSocket extends FakeEmitter {
  readonly io = new FakeEmitter();
  readonly emitted: Emitted[] = [];
  connected = false;
  active: boolean;

  constructor(readonly options: { autoConnect?: boolean }) {
    super();
    this.active = options.autoConnect ?? true;
  }

  timeout() {
    return this;
  }
  emit(event: string, payload: unknown, ack?: (...args: unknown[]) => void) {
    this.emitted.push({ event, payload, ack });
    return this;
  }
  connect() {
    this.active = true;
    return this;
  }
  disconnect() {
    const wasConnected = this.connected;
    this.connected = false;
    this.active = false;
    if (wasConnected) this.serve("disconnect", "io client disconnect");
    return this;
  }

  listenerCount(): number {
    return [...this.listeners.values(), ...this.io.listeners.values()].reduce((sum, set) => sum + set.size, 0);
  }
  serveManager(event: string, ...args: unknown[]) {
    act(() => {
      for (const handler of this.io.listeners.get(event) ?? []) (handler as (...a: unknown[]) => void)(...args);
    });
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
  /** What `socket.timeout(ms).emit` calls back with when no ack came in time. */
  timeOut(emitted: Emitted) {
    act(() => emitted.ack?.(new Error("operation has timed out")));
  }
}

/** Every socket the code under test opened, oldest first; empty it before each test. */
export const sockets: FakeSocket[] = [];

export const socketIoStub = {
  io: (options: { autoConnect?: boolean }) => {
    const socket = new FakeSocket(options);
    sockets.push(socket);
    return socket;
  },
};
