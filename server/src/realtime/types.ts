import type { Server, Socket } from "socket.io";
import type { ClientToServerEvents, ServerToClientEvents } from "../../../shared/protocol";

/** Nodes exchange no custom events; the adapter carries the broadcasts. */
export type InterServerEvents = Record<string, never>;

/** Set by the auth middleware; the sender of every event is this user, never a payload field. */
export type SocketData = { userId: string; tokenHash: string };

export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
