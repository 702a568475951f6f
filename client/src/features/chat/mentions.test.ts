import { describe, expect, it } from "vitest";
import { makeUser } from "../../test/factories";
import { mentionCandidates, mentionQueryAt, splitMentions } from "./mentions";

const BOB = { userId: "u-bob", username: "bob" };
const BOBBY = { userId: "u-bobby", username: "bobby" };

describe("splitMentions", () => {
  it.each([
    ["no targets", "hi @bob", [], [{ kind: "text", text: "hi @bob" }]],
    [
      "at the start and after whitespace, case-insensitive",
      "@Bob and\n@bob",
      [BOB],
      [
        { kind: "mention", text: "@Bob", userId: "u-bob" },
        { kind: "text", text: " and\n" },
        { kind: "mention", text: "@bob", userId: "u-bob" },
      ],
    ],
    ["not inside a word", "mail@bob", [BOB], [{ kind: "text", text: "mail@bob" }]],
    [
      "the longest username wins",
      "@bobby!",
      [BOB, BOBBY],
      [
        { kind: "mention", text: "@bobby", userId: "u-bobby" },
        { kind: "text", text: "!" },
      ],
    ],
    ["only users the message mentions", "@carol hi", [BOB], [{ kind: "text", text: "@carol hi" }]],
  ] as const)("%s", (_case, text, targets, expected) => {
    expect(splitMentions(text, targets)).toEqual(expected);
  });
});

describe("mentionQueryAt", () => {
  it.each([
    ["@", 1, { start: 0, query: "" }],
    ["hi @bo", 6, { start: 3, query: "bo" }],
    ["hi @bo there", 6, { start: 3, query: "bo" }],
    ["hi @bo there", 12, null],
    ["mail@bo", 7, null],
  ] as const)("%j at %i", (text, caret, expected) => {
    expect(mentionQueryAt(text, caret)).toEqual(expected);
  });
});

describe("mentionCandidates", () => {
  it("matches usernames first, then display names, case-insensitively", () => {
    const members = [
      makeUser({ id: "alice" }),
      makeUser({ id: "bob", displayName: "Robert" }),
      makeUser({ id: "rob", displayName: "Zed" }),
    ];
    expect(mentionCandidates(members, "RO").map((member) => member.id)).toEqual(["rob", "bob"]);
    expect(mentionCandidates(members, "").map((member) => member.id)).toEqual(["alice", "bob", "rob"]);
  });
});
