import type { Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../../../shared/protocol";

export type RouteSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The server answers every event; for leave and receipts there is nothing to do with the answer. */
export const ignoreAck = () => {};
