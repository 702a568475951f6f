import { loginSchema, registerSchema } from "../../../shared/protocol";
import type { AuthResponse } from "../../../shared/protocol";
import type { UserDirectory } from "../chat/users";
import { AppError } from "../errors";
import { newId, nowIso } from "../lib/ids";
import type { Store } from "../store";
import type { UserRecord } from "../store/types";
import { parseInput } from "../validation";
import { createLoginLimiter } from "./login-limiter";
import { hashPassword, verifyPassword } from "./password";
import { SESSION_TTL_MS, hashToken, newSessionToken } from "./tokens";

export type Session = { user: UserRecord; tokenHash: string };

type Deps = {
  store: Store;
  users: UserDirectory;
  scryptLogN: number;
  loginMaxFailures: number;
  /** Disconnects the sockets opened with a session that was just revoked. */
  revokeSockets: (session: Session) => Promise<void>;
};

export function createAccounts(deps: Deps) {
  const { store, users, scryptLogN, revokeSockets } = deps;
  const loginLimiter = createLoginLimiter({ maxFailures: deps.loginMaxFailures });
  // Unknown usernames still pay for one hash, so timing does not reveal which names exist.
  let decoyHash: Promise<string> | undefined;

  async function startSession(user: UserRecord): Promise<AuthResponse> {
    const token = newSessionToken();
    const createdAt = new Date();
    await store.createSession({
      tokenHash: hashToken(token),
      userId: user.id,
      createdAt: createdAt.toISOString(),
      expiresAt: new Date(createdAt.getTime() + SESSION_TTL_MS).toISOString(),
    });
    return { token, user: users.present(user) };
  }

  return {
    async register(body: unknown): Promise<AuthResponse> {
      const input = parseInput(registerSchema, body);
      const user = await store.createUser({
        id: newId(),
        username: input.username,
        displayName: input.displayName ?? input.username,
        passwordHash: await hashPassword(input.password, scryptLogN),
        createdAt: nowIso(),
        lastSeenAt: null,
      });
      if (!user) throw new AppError("USERNAME_TAKEN", "this username is taken");
      return startSession(user);
    },

    async login(body: unknown): Promise<AuthResponse> {
      const { username, password } = parseInput(loginSchema, body);
      const retryAfterMs = loginLimiter.retryAfterMs(username);
      if (retryAfterMs > 0)
        throw new AppError("RATE_LIMITED", "too many failed sign-in attempts; try again later", 429, retryAfterMs);

      const credentials = await store.findCredentials(username);
      decoyHash ??= hashPassword("decoy password", scryptLogN);
      const valid = await verifyPassword(password, credentials?.passwordHash ?? (await decoyHash));
      if (!credentials || !valid) {
        loginLimiter.recordFailure(username);
        throw new AppError("INVALID_CREDENTIALS", "wrong username or password");
      }
      loginLimiter.reset(username);
      return startSession(credentials.user);
    },

    /** Revokes the token for HTTP and closes its sockets before answering. */
    async logout(session: Session): Promise<void> {
      await store.deleteSession(session.tokenHash);
      await revokeSockets(session);
    },

    /** The session of a bearer token, or null when it is missing, unknown, expired or revoked. */
    async authenticate(token: unknown): Promise<Session | null> {
      if (typeof token !== "string" || token.length === 0 || token.length > 256) return null;
      const tokenHash = hashToken(token);
      const user = await store.findSessionUser(tokenHash, nowIso());
      return user ? { user, tokenHash } : null;
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
