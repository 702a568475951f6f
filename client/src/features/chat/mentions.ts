import type { User } from "../../../../shared/protocol";

/** A user a message mentions, as its text names them. */
export type MentionTarget = { userId: string; username: string };

export type MentionSegment = { kind: "text"; text: string } | { kind: "mention"; text: string; userId: string };

/**
 * Splits text at the `@name` mentions of the users given, found as the server finds them (v2 §4): at the start
 * or after whitespace, case-insensitive, the longest username winning. Only users the server listed in the
 * message's `mentions` are passed in, so an `@word` naming nobody stays plain text.
 */
export function splitMentions(text: string, targets: readonly MentionTarget[]): MentionSegment[] {
  if (targets.length === 0) return [{ kind: "text", text }];
  const longestFirst = [...targets].sort((a, b) => b.username.length - a.username.length);
  const lower = text.toLowerCase();
  const segments: MentionSegment[] = [];
  let textStart = 0;
  let at = lower.indexOf("@");
  while (at !== -1) {
    const afterSpace = at === 0 || /\s/.test(text[at - 1] ?? "");
    const target = afterSpace
      ? longestFirst.find((candidate) => lower.startsWith(candidate.username.toLowerCase(), at + 1))
      : undefined;
    if (target) {
      const end = at + 1 + target.username.length;
      if (at > textStart) segments.push({ kind: "text", text: text.slice(textStart, at) });
      segments.push({ kind: "mention", text: text.slice(at, end), userId: target.userId });
      textStart = end;
    }
    at = lower.indexOf("@", target ? textStart : at + 1);
  }
  if (textStart < text.length) segments.push({ kind: "text", text: text.slice(textStart) });
  return segments;
}

/** The `@name` being typed just before the caret: where its "@" is and the letters after it. */
export type MentionQuery = { start: number; query: string };

export function mentionQueryAt(text: string, caret: number): MentionQuery | null {
  const match = /(?:^|\s)@([\p{L}\p{N}_.-]*)$/u.exec(text.slice(0, caret));
  if (!match) return null;
  const query = match[1] ?? "";
  return { start: caret - query.length - 1, query };
}

/** Members whose username or display name starts with the query, usernames first; at most `limit`. */
export function mentionCandidates(members: readonly User[], query: string, limit = 6): User[] {
  const wanted = query.toLowerCase();
  const byUsername = members.filter((member) => member.username.toLowerCase().startsWith(wanted));
  const byName = members.filter(
    (member) => !byUsername.includes(member) && member.displayName.toLowerCase().startsWith(wanted),
  );
  return [...byUsername, ...byName].slice(0, limit);
}
