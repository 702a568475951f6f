/**
 * Who a message body @-mentions (PROTOCOL-v2 §4): `@name` at the start of the
 * body or after whitespace, case-insensitive, naming one of `members`. Pure,
 * so the server's send and edit paths and a client's rendering agree.
 */

// A run of username characters (USERNAME_PATTERN's, either case) after an '@' that opens a word.
const MENTION = /(?<=^|\s)@([A-Za-z0-9_.-]+)/gu;
// Usernames may end in these, and so may a sentence: "@bob." names bob unless "bob." is a member.
const TRAILING_PUNCTUATION = /[._-]$/;

/**
 * The ids of the members the body mentions, in order of first appearance, each once. Of the names a
 * run could be, the longest member's wins: the whole run, else the run without its trailing
 * punctuation, one character at a time ("@bob.smith" is bob.smith when both bob and bob.smith are
 * members; "@bob.smithy" names neither).
 */
export function mentionedIds(body: string, members: readonly { id: string; username: string }[]): string[] {
  if (!body.includes("@")) return [];
  const idByName = new Map(members.map((member) => [member.username.toLowerCase(), member.id]));
  const mentioned = new Set<string>();
  for (const [, run] of body.matchAll(MENTION)) {
    for (let name = run!.toLowerCase(); name; name = name.slice(0, -1)) {
      const id = idByName.get(name);
      if (id !== undefined) {
        mentioned.add(id);
        break;
      }
      if (!TRAILING_PUNCTUATION.test(name)) break;
    }
  }
  return [...mentioned];
}
