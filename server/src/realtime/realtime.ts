import { userRoom } from "../../../shared/protocol";
import type { Accounts, RevokedSessions } from "../auth/accounts";
import type { Presence } from "../chat/presence";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import { registerConversationHandlers } from "./conversation.handlers";
import type { Services } from "./handler-context";
import { registerMessageHandlers } from "./message.handlers";
import { createEventBinder } from "./on-event";
import { registerReceiptHandlers } from "./receipt.handlers";
import { expireWithSession } from "./session-expiry";
import { registerTypingHandlers } from "./typing.handlers";
import type { ParleyServer } from "./types";

type Deps = { accounts: Accounts; presence: Presence; services: Services; metrics: Metrics; logger: Logger };

/** Authenticates handshakes and wires every connected socket's handlers. */
export function attachRealtime(io: ParleyServer, deps: Deps): void {
  const { accounts, presence, services, metrics, logger } = deps;

  io.use((socket, next) => {
    const token: unknown = socket.handshake.auth.token;
    accounts.authenticate(token).then(
      (session) => {
        if (!session) return next(new Error("UNAUTHORIZED"));
        socket.data.userId = session.user.id;
        socket.data.tokenHash = session.tokenHash;
        socket.data.sessionExpiresAt = session.expiresAt;
        next();
      },
      (err: unknown) => {
        logger.error({ err }, "socket authentication failed");
        next(new Error("INTERNAL"));
      },
    );
  });
  io.on("connection", (socket) => expireWithSession(socket, { accounts, logger }));

  io.on("connection", (socket) => {
    const { userId } = socket.data;
    void socket.join(userRoom(userId));
    presence.socketConnected(userId);
    socket.on("disconnect", () => presence.socketDisconnected(userId));

    const context = { socket, events: createEventBinder(socket, { logger, metrics }), services };
    registerConversationHandlers(context);
    registerMessageHandlers(context);
    registerReceiptHandlers(context);
    registerTypingHandlers(context);
  });
}

/** Disconnects, on every node, the user's sockets opened with a revoked session. */
export async function disconnectSession(io: ParleyServer, userId: string, revoked: RevokedSessions): Promise<void> {
  const sockets = await io.in(userRoom(userId)).fetchSockets();
  for (const socket of sockets) {
    if (revoked(socket.data.tokenHash)) socket.disconnect(true);
  }
}
