import type { ConversationSettings, NotifyLevel } from "../../../shared/protocol";

type NotifySettings = Pick<ConversationSettings, "notify" | "mutedUntil">;

/** Muted at `now` (epoch ms): mutedUntil is still ahead. */
export function isMuted({ mutedUntil }: NotifySettings, now: number): boolean {
  return mutedUntil !== null && Date.parse(mutedUntil) > now;
}

/** The level in force at `now`: while muted it is "none" (v2 §9). */
export function notifyLevelOf(settings: NotifySettings, now: number): NotifyLevel {
  return isMuted(settings, now) ? "none" : settings.notify;
}
