import { userRoom } from "../../../shared/protocol";
import type { Accounts, RevokedSessions } from "../auth/accounts";
import type { Presence } from "../chat/presence";
import { createTokenBucket } from "../lib/token-bucket";
import type { TakeTurn } from "../lib/turns";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import { registerConversationHandlers } from "./conversation.handlers";
import { limitSocketsPerUser } from "./connection-counter";
import type { ConnectionCounter } from "./connection-counter";
import type { Services } from "./handler-context";
import { registerMessageHandlers } from "./message.handlers";
import { createAckLatencyRecorder, createEventBinder } from "./on-event";
import { guardOutput } from "./output-guard";
import { registerReactionHandlers } from "./reaction.handlers";
import { registerReceiptHandlers } from "./receipt.handlers";
import { expireWithSession } from "./session-expiry";
import { registerTypingHandlers } from "./typing.handlers";
import type { ParleyServer } from "./types";

type Deps = {
  accounts: Accounts;
  presence: Presence;
  services: Services;
  metrics: Metrics;
  logger: Logger;
  takeTurn: TakeTurn;
};
/** What one user and one socket may use (PROTOCOL.md "Limits"). */
export type SocketLimits = {
  connections: ConnectionCounter;
  eventRate: { burst: number; perSecond: number };
  maxBufferBytes: number;
};

/** Authenticates handshakes and wires every connected socket's handlers. */
export function attachRealtime(io: ParleyServer, deps: Deps & { limits: SocketLimits }): void {
  const { accounts, presence, services, metrics, logger, takeTurn } = deps;

  // Each connection would otherwise keep its HTTP upgrade request (headers, parser state) for its
  // whole life. Nothing here reads the request or the handshake's headers: the token comes from
  // the handshake's auth payload, which does not depend on it.
  io.engine.on("connection", (rawSocket: { request: unknown }) => {
    rawSocket.request = null;
  });

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

  const recordAckLatency = createAckLatencyRecorder(metrics);

  // After authentication, and last: see limitSocketsPerUser.
  limitSocketsPerUser(io, deps.limits.connections, logger);

  io.on("connection", (socket) => {
    const { userId } = socket.data;
    void socket.join(userRoom(userId));
    presence.socketConnected(userId);
    socket.on("disconnect", () => presence.socketDisconnected(userId));
    expireWithSession(socket, { accounts, logger });
    guardOutput(socket, deps.limits.maxBufferBytes, (unsentBytes) =>
      logger.warn({ userId, socketId: socket.id, unsentBytes }, "socket disconnected: not reading its output"),
    );

    // The queue holds at most a burst's worth of events.
    const limits = {
      takeEventToken: createTokenBucket(deps.limits.eventRate),
      maxPending: deps.limits.eventRate.burst,
    };
    const context = {
      socket,
      events: createEventBinder(socket, { logger, recordAckLatency, limits, takeTurn }),
      services,
    };
    registerConversationHandlers(context);
    registerMessageHandlers(context);
    registerReactionHandlers(context);
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
