const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const shortDateFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

export function formatTime(iso: string): string {
  return timeFormat.format(new Date(iso));
}

/** The time for today's messages, the date for older ones: what a conversation list has room for. */
export function formatShortTime(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  return date.toDateString() === now.toDateString() ? timeFormat.format(date) : shortDateFormat.format(date);
}
