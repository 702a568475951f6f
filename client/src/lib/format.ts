const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const shortDateFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", month: "short", day: "numeric" });
const dayWithYearFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  month: "short",
  day: "numeric",
  year: "numeric",
});
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export function formatTime(iso: string): string {
  return timeFormat.format(new Date(iso));
}

/** The time for today's messages, the date for older ones: what a conversation list has room for. */
export function formatShortTime(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  return date.toDateString() === now.toDateString() ? timeFormat.format(date) : shortDateFormat.format(date);
}

/** The exact moment, for a tooltip. */
export function formatDateTime(iso: string): string {
  return dateTimeFormat.format(new Date(iso));
}

/** "just now", "5 min" within the hour, the clock time after that (the day separator gives the date). */
export function formatRelativeTime(iso: string, now: Date = new Date()): string {
  // A server clock slightly ahead of ours gives a negative age: that is "just now" too.
  const age = now.getTime() - new Date(iso).getTime();
  if (age < MINUTE_MS) return "just now";
  if (age < HOUR_MS) return `${Math.floor(age / MINUTE_MS)} min`;
  return formatTime(iso);
}

/** The local calendar day of a moment, as a stable key: "2025-1-6". */
export function localDayKey(iso: string): string {
  const date = new Date(iso);
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

/** "Today", "Yesterday", or the date (with the year when it is not this year). */
export function formatDayLabel(iso: string, now: Date = new Date()): string {
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  const day = localDayKey(iso);
  if (day === localDayKey(now.toISOString())) return "Today";
  if (day === localDayKey(yesterday.toISOString())) return "Yesterday";
  const date = new Date(iso);
  return (date.getFullYear() === now.getFullYear() ? dayFormat : dayWithYearFormat).format(date);
}

/** How long to wait before trying again, rounded up so the user never retries too early: "3 s", "15 min". */
export function formatWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  return `${Math.ceil(seconds / 60)} min`;
}
