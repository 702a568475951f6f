import { describe, expect, it } from "vitest";
import { mentionedIds } from "./mentions";

const members = [
  { id: "u-bob", username: "bob" },
  { id: "u-bob-smith", username: "bob.smith" },
  { id: "u-ann", username: "ann_1" },
  { id: "u-dash", username: "cy-" },
];

describe("mentionedIds", () => {
  it.each([
    ["no @ at all", "hello bob", []],
    ["at the start", "@bob hi", ["u-bob"]],
    ["after a space", "hi @bob", ["u-bob"]],
    ["after a newline or a tab", "hi\n@bob\t@ann_1", ["u-bob", "u-ann"]],
    ["after a non-breaking space", "hi\u00a0@bob", ["u-bob"]],
    ["alone", "@bob", ["u-bob"]],
    ["case-insensitive", "@BoB and @ANN_1", ["u-bob", "u-ann"]],
    ["comma after the name", "@bob, look", ["u-bob"]],
    ["full stop after the name", "thanks @bob.", ["u-bob"]],
    ["several punctuation marks after it", "@bob... really?!", ["u-bob"]],
    ["question mark, colon, apostrophe, parenthesis", "@bob? @ann_1: @bob's (x @bob)", ["u-bob", "u-ann"]],
    ["email-like is not a mention", "write to a@bob or mail@bob.smith", []],
    ["inside brackets is not after whitespace", "(@bob)", []],
    ["the longest member wins", "@bob.smith hi", ["u-bob-smith"]],
    ["the longest member wins, punctuation after it", "cc @bob.smith.", ["u-bob-smith"]],
    ["a longer unknown name names nobody", "@bob.smithy @bobby", []],
    ["a name ending in punctuation", "@cy- and @cy-.", ["u-dash"]],
    ["unknown names are ignored", "@carol @bob", ["u-bob"]],
    ["a bare @ names nobody", "@ @. @@bob", []],
    ["order of first appearance, no duplicates", "@ann_1 @bob @ANN_1 @bob.", ["u-ann", "u-bob"]],
  ])("%s", (_, body, expected) => {
    expect(mentionedIds(body, members)).toEqual(expected);
  });

  it("names nobody without members", () => {
    expect(mentionedIds("@bob", [])).toEqual([]);
  });
});
