import type { Message, NotifyLevel } from "../../../../shared/protocol";

/** "on" once the user enabled notifications from the top bar; anything else = off. */
export const NOTIFICATIONS_STORAGE_KEY = "parley.notifications";

export type NotificationContext = {
  message: Message;
  selfId: string | null;
  /** document.visibilityState: a visible tab already shows the message. */
  visibility: DocumentVisibilityState;
  /** Notification.permission, or "unsupported" without the API. */
  permission: NotificationPermission | "unsupported";
  /** The user's opt-in from the top bar. */
  optedIn: boolean;
  /** The newest seq of the conversation already held: repeats and catch-up must not ring again. */
  heldSeq: number;
  /** The conversation's notify level in force ("none" while muted). */
  level: NotifyLevel;
};

export function shouldNotify({
  message,
  selfId,
  visibility,
  permission,
  optedIn,
  heldSeq,
  level,
}: NotificationContext): boolean {
  const wanted = level === "all" || (level === "mentions" && selfId !== null && message.mentions.includes(selfId));
  return (
    wanted &&
    optedIn &&
    permission === "granted" &&
    visibility === "hidden" &&
    selfId !== null &&
    message.senderId !== selfId &&
    message.seq > heldSeq
  );
}

export function notificationsSupported(): boolean {
  return typeof window !== "undefined" && "Notification" in window;
}

export function currentPermission(): NotificationContext["permission"] {
  return notificationsSupported() ? Notification.permission : "unsupported";
}

export function isOptedIn(): boolean {
  try {
    return localStorage.getItem(NOTIFICATIONS_STORAGE_KEY) === "on";
  } catch {
    return false;
  }
}

export function rememberOptIn(on: boolean): void {
  try {
    if (on) localStorage.setItem(NOTIFICATIONS_STORAGE_KEY, "on");
    else localStorage.removeItem(NOTIFICATIONS_STORAGE_KEY);
  } catch {
    // Blocked storage: the choice lasts for this page only.
  }
}
