import type { AuthResponse } from "../../../shared/protocol";
import { loginSchema, passwordChangeSchema, registerSchema } from "../../../shared/schemas";
import type { UserDirectory } from "../chat/users";
import { AppError } from "../errors";
import { newId, nowIso } from "../lib/ids";
import type { Store } from "../store";
import type { UserRecord } from "../store/types";
import { parseInput } from "../validation";
import type { AuthLimits } from "./limits";
import { hashPassword, verifyPassword } from "./password";
import { hashToken, newSessionToken, renewedExpiry } from "./tokens";

/** A signed-in caller; `expiresAt` is the session's expiry in epoch milliseconds. */
export type Session = { user: UserRecord; tokenHash: string; expiresAt: number };

/** Which of a user's sessions a revocation closed, by token hash. */
export type RevokedSessions = (tokenHash: string) => boolean;

type Deps = {
  store: Store;
  users: UserDirectory;
  limits: AuthLimits;
  scryptLogN: number;
  sessionTtlMs: number;
  /** Disconnects the user's sockets opened with a session that was just revoked. */
  revokeSockets: (userId: string, revoked: RevokedSessions) => Promise<void>;
};

export function createAccounts(deps: Deps) {
  const { store, users, limits, scryptLogN, sessionTtlMs, revokeSockets } = deps;
  // Unknown usernames still pay for one hash, so timing does not reveal which names exist.
  let decoyHash: Promise<string> | undefined;

  async function startSession(user: UserRecord): Promise<AuthResponse> {
    const token = newSessionToken();
    const createdAt = new Date();
    await store.createSession({
      tokenHash: hashToken(token),
      userId: user.id,
      createdAt: createdAt.toISOString(),
      expiresAt: new Date(createdAt.getTime() + sessionTtlMs).toISOString(),
    });
    return { token, user: await users.present(user) };
  }

  /** The password check of a login or a password change under the login limits: the user, or null when wrong. */
  async function checkPassword(username: string, password: string, ip: string): Promise<UserRecord | null> {
    let user: UserRecord | null = null;
    await limits.checkPassword(username, ip, async () => {
      const credentials = await store.findCredentials(username);
      decoyHash ??= hashPassword("decoy password", scryptLogN);
      const valid = await verifyPassword(password, credentials?.passwordHash ?? (await decoyHash));
      if (credentials && valid) user = credentials.user;
      return user !== null;
    });
    return user;
  }

  return {
    /** `ip` is the client's address as the limits key it. */
    async register(body: unknown, ip: string): Promise<AuthResponse> {
      const input = parseInput(registerSchema, body);
      // Every well-formed attempt is paid for, taken usernames too: each costs a password hash.
      await limits.register(ip);
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

    async login(body: unknown, ip: string): Promise<AuthResponse> {
      const { username, password } = parseInput(loginSchema, body);
      const user = await checkPassword(username, password, ip);
      if (!user) throw new AppError("INVALID_CREDENTIALS", "wrong username or password");
      return startSession(user);
    },

    /** Revokes the token for HTTP and closes its sockets before answering. */
    async logout(session: Session): Promise<void> {
      await store.deleteSession(session.tokenHash);
      await revokeSockets(session.user.id, (tokenHash) => tokenHash === session.tokenHash);
    },

    /** Revokes every session of the user and closes all their sockets. */
    async logoutAll(session: Session): Promise<void> {
      await store.deleteUserSessions(session.user.id);
      await revokeSockets(session.user.id, () => true);
    },

    /** A wrong current password counts as a failed login; on success every other session is revoked. */
    async changePassword(session: Session, body: unknown, ip: string): Promise<void> {
      const { currentPassword, newPassword } = parseInput(passwordChangeSchema, body);
      if (!(await checkPassword(session.user.username, currentPassword, ip)))
        throw new AppError("INVALID_CREDENTIALS", "the current password is wrong");
      await store.setPasswordHash(session.user.id, await hashPassword(newPassword, scryptLogN));
      await store.deleteUserSessions(session.user.id, session.tokenHash);
      await revokeSockets(session.user.id, (tokenHash) => tokenHash !== session.tokenHash);
    },

    /**
     * The session of a bearer token, or null when it is missing, unknown,
     * expired or revoked. Using a session renews it (sliding expiry).
     */
    async authenticate(token: unknown): Promise<Session | null> {
      if (typeof token !== "string" || token.length === 0 || token.length > 256) return null;
      const tokenHash = hashToken(token);
      const now = Date.now();
      const found = await store.findSession(tokenHash, new Date(now).toISOString());
      if (!found) return null;
      let expiresAt = Date.parse(found.expiresAt);
      const renewed = renewedExpiry(now, expiresAt, sessionTtlMs);
      if (renewed !== null) {
        await store.renewSession(tokenHash, new Date(renewed).toISOString());
        expiresAt = renewed;
      }
      return { user: found.user, tokenHash, expiresAt };
    },

    /** When the session expires now (epoch ms), without renewing it; null once it is expired or revoked. */
    async sessionExpiry(tokenHash: string): Promise<number | null> {
      const found = await store.findSession(tokenHash, nowIso());
      return found ? Date.parse(found.expiresAt) : null;
    },

    /** Deletes expired sessions; returns how many. */
    async purgeExpiredSessions(): Promise<number> {
      return store.deleteExpiredSessions(nowIso());
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
