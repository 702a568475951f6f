import type { Server as HttpServer } from "node:http";
import express from "express";
import { Server } from "socket.io";
import { LIMITS } from "../../shared/protocol";
import { createAccounts } from "./auth/accounts";
import { createAuthLimits, createMemoryAuthLimiters } from "./auth/limits";
import type { AuthLimiters, Limiter } from "./auth/limits";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { createConversations } from "./chat/conversations";
import { createGroups, groupCreateLimit } from "./chat/groups";
import { createMessages } from "./chat/messages";
import { createReactions } from "./chat/reactions";
import { createMemoryPresence, createPresenceAnnouncer } from "./chat/presence";
import type { Presence } from "./chat/presence";
import { createMemorySendLimiter } from "./chat/send-limiter";
import type { ReactionLimiter, SendLimiter } from "./chat/send-limiter";
import { createReceipts } from "./chat/receipts";
import { createTypingThrottle } from "./chat/typing-throttle";
import type { TypingThrottle } from "./chat/typing-throttle";
import { createUserDirectory } from "./chat/users";
import { createVisibility } from "./chat/visibility";
import type { Config } from "./config";
import { apiRouter } from "./http/api";
import { clientRoutes } from "./http/client";
import { errorHandler, notFound, rejectMalformedPath } from "./http/errors";
import { createExpressServer } from "./http/express-server";
import { operationsRoutes } from "./http/operations.routes";
import { oneRequestAtATime } from "./http/pipelining";
import { timeRequests } from "./http/request-timing";
import { corsForOrigins, securityHeaders } from "./http/security";
import { createKeyedQueue } from "./lib/serial-queue";
import { createTurns } from "./lib/turns";
import type { Logger } from "./logger";
import { createMetrics } from "./metrics";
import { createMemoryConnectionCounter } from "./realtime/connection-counter";
import type { ConnectionCounter } from "./realtime/connection-counter";
import { attachRealtime, disconnectSession } from "./realtime/realtime";
import { createSocketBroadcaster } from "./realtime/socket-broadcaster";
import type { ParleyServer } from "./realtime/types";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "../../shared/protocol";
import type { RedisServices } from "./redis";
import type { Store } from "./store";

export type AppDeps = {
  config: Config;
  store: Store;
  logger: Logger;
  // What differs per deployment; each defaults to its single-node, in-process version.
  /** Registration and login limiters (shared ones for several nodes). */
  authLimiters?: AuthLimiters;
  /** Sockets per user (a shared count for several nodes). */
  connectionCounter?: ConnectionCounter;
  /** The per-user send token bucket (a shared one for several nodes). */
  sendLimiter?: SendLimiter;
  /** The per-user reaction token bucket (a shared one for several nodes). */
  reactionLimiter?: ReactionLimiter;
  /** Group creations per user (a shared count for several nodes). */
  groupCreateLimiter?: Limiter;
  /** Who is online (shared by several nodes). */
  presence?: Presence;
  /** Which typing signals are relayed (one throttle for several nodes). */
  typingThrottle?: TypingThrottle;
  /** With REDIS_URL: the adapter and shared state of several nodes; closed by App.close(). */
  redis?: RedisServices;
};

const SESSION_PURGE_INTERVAL_MS = 60 * 60 * 1000;
export type App = {
  httpServer: HttpServer;
  io: ParleyServer;
  /** Disconnects every socket and closes the HTTP server; the store stays open (its owner closes it). */
  close(): Promise<void>;
};

/** Builds the HTTP server and Socket.IO on it, not yet listening. */
export function createApp({ config, store, logger, redis, ...services }: AppDeps): App {
  const authLimiters = services.authLimiters ?? redis?.authLimiters;
  const connectionCounter = services.connectionCounter ?? redis?.connectionCounter;
  const sendLimiter = services.sendLimiter ?? redis?.sendLimiter;
  const reactionLimiter = services.reactionLimiter ?? redis?.reactionLimiter;
  const groupCreateLimiter =
    services.groupCreateLimiter ??
    redis?.groupCreateLimiter ??
    new RateLimiterMemory(groupCreateLimit(config.groupCreatePerHour));
  const presence = services.presence ?? redis?.presence ?? createMemoryPresence(config.presenceGraceMs);
  const typingThrottle = services.typingThrottle ?? redis?.typingThrottle ?? createTypingThrottle();
  const app = express();
  // Express must be the server's request listener before Socket.IO attaches: Socket.IO then
  // answers /socket.io requests itself and hands every other request to Express.
  const httpServer = createExpressServer(app);
  // A connection without input or output progress for this long is dropped (Node's default is never):
  // that is how one whose client stopped reading a response gives back what is buffered for it.
  // Long polls wait 25 s at most; websockets turn this off on upgrade.
  httpServer.timeout = 60_000;
  const io: ParleyServer = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(
    httpServer,
    {
      // Socket.IO closes a connection whose packet is larger.
      maxHttpBufferSize: LIMITS.payloadMaxBytes,
      ...(config.corsOrigins.length > 0 && { cors: { origin: config.corsOrigins } }),
    },
  );

  // Rooms, user rooms, fetchSockets and disconnects then reach the sockets of every node.
  if (redis) io.adapter(redis.adapter);

  const metrics = createMetrics({ connectedSockets: () => io.of("/").sockets.size });
  const broadcaster = createSocketBroadcaster(io);
  presence.start(createPresenceAnnouncer({ store, broadcaster, logger }));
  const users = createUserDirectory({ store, onlineAmong: presence.onlineAmong });
  const accounts = createAccounts({
    store,
    users,
    limits: createAuthLimits(authLimiters ?? createMemoryAuthLimiters(config)),
    scryptLogN: config.scryptLogN,
    sessionTtlMs: config.sessionTtlMs,
    revokeSockets: (userId, revoked) => disconnectSession(io, userId, revoked),
  });
  // Expired sessions are refused already; the purge only keeps the table from growing.
  const sessionPurge = setInterval(
    () => void accounts.purgeExpiredSessions().catch((err: unknown) => logger.warn({ err }, "session purge failed")),
    Math.min(SESSION_PURGE_INTERVAL_MS, config.sessionTtlMs),
  ).unref();
  const conversationQueue = createKeyedQueue();
  // A user's HTTP requests and socket events, on however many connections, start one a turn of the event loop.
  const takeTurn = createTurns();
  const visibility = createVisibility(store);
  const conversations = createConversations({ store, users, visibility, broadcaster });
  const groups = createGroups({
    store,
    users,
    broadcaster,
    conversationQueue,
    createLimiter: groupCreateLimiter,
    maxMembers: config.groupMaxMembers,
  });
  const messages = createMessages({
    store,
    visibility,
    users,
    broadcaster,
    metrics,
    conversationQueue,
    sendLimiter:
      sendLimiter ?? createMemorySendLimiter({ burst: config.sendRateBurst, perSecond: config.sendRatePerSec }),
  });
  const reactions = createReactions({
    store,
    broadcaster,
    conversationQueue,
    visibility,
    // The send bucket's arithmetic, with tokens of its own.
    limiter:
      reactionLimiter ??
      createMemorySendLimiter({ burst: config.reactionRateBurst, perSecond: config.reactionRatePerSec }),
    limits: { maxDistinct: config.reactionsMaxDistinct, maxPerUser: config.reactionsMaxPerUser },
  });
  const receipts = createReceipts({ store, users, visibility, broadcaster, conversationQueue });

  app.disable("x-powered-by");
  // req.ip is then the client's address as forwarded by a trusted proxy (the limits key on it).
  app.set("trust proxy", config.trustProxy);
  // First, so a request's time includes waiting behind its connection's previous one.
  app.use(timeRequests(httpServer, metrics.httpRequestDuration));
  app.use(oneRequestAtATime());
  app.use(securityHeaders());
  app.use(rejectMalformedPath);
  if (config.corsOrigins.length > 0) app.use("/api", corsForOrigins(config.corsOrigins));
  app.use(operationsRoutes({ store, redis, metrics, logger, metricsToken: config.metricsToken }));
  app.use("/api", apiRouter({ accounts, users, conversations, groups, takeTurn }));
  app.use(clientRoutes(config.clientDist));
  app.use(notFound);
  app.use(errorHandler(logger));

  attachRealtime(io, {
    accounts,
    takeTurn,
    presence,
    metrics,
    logger,
    services: {
      users,
      conversations,
      messages,
      reactions,
      receipts,
      broadcaster,
      visibility,
      shouldRelayTyping: typingThrottle,
    },
    limits: {
      connections: connectionCounter ?? createMemoryConnectionCounter(config.maxSocketsPerUser),
      eventRate: { burst: config.eventRateBurst, perSecond: config.eventRatePerSec },
      maxBufferBytes: config.maxSocketBufferBytes,
    },
  });

  return {
    httpServer,
    io,
    async close() {
      presence.close();
      clearInterval(sessionPurge);
      // Disconnects every socket, then closes the HTTP server (idle keep-alive connections included).
      await new Promise<void>((resolve) => void io.close(() => resolve()));
      await redis?.close();
    },
  };
}
