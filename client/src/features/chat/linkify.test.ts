import { describe, expect, it } from "vitest";
import { linkify, type Segment } from "./linkify";

const t = (text: string): Segment => ({ kind: "text", text });
const a = (url: string): Segment => ({ kind: "link", text: url, href: url });

describe("linkify", () => {
  it.each<[string, string, Segment[]]>([
    ["plain text", "hello there", [t("hello there")]],
    ["empty", "", []],
    ["a lone URL", "https://example.com", [a("https://example.com")]],
    [
      "a URL in a sentence",
      "see http://example.com/a?b=1#c now",
      [t("see "), a("http://example.com/a?b=1#c"), t(" now")],
    ],
    ["two URLs", "https://a.io and https://b.io", [a("https://a.io"), t(" and "), a("https://b.io")]],
    ["upper-case scheme", "HTTPS://EXAMPLE.COM", [a("HTTPS://EXAMPLE.COM")]],
    ["a trailing full stop", "Go to https://example.com.", [t("Go to "), a("https://example.com"), t(".")]],
    ["trailing punctuation run", "https://example.com/x?!", [a("https://example.com/x"), t("?!")]],
    ["a trailing comma", "https://a.io, then", [a("https://a.io"), t(", then")]],
    ["in parentheses", "(see https://a.io/x)", [t("(see "), a("https://a.io/x"), t(")")]],
    [
      "balanced parentheses stay",
      "https://en.wikipedia.org/wiki/Foo_(bar)",
      [a("https://en.wikipedia.org/wiki/Foo_(bar)")],
    ],
    ["a closing paren then a stop", "(https://a.io).", [t("("), a("https://a.io"), t(").")]],
    ["in angle brackets", "<https://a.io>", [t("<"), a("https://a.io"), t(">")]],
    ["in quotes", '"https://a.io"', [t('"'), a("https://a.io"), t('"')]],
    ["a newline ends the URL", "https://a.io\nnext", [a("https://a.io"), t("\nnext")]],
    ["a scheme without a host", "http:// nothing", [t("http:// nothing")]],
    ["a scheme inside a word", "xhttp://a.io", [t("xhttp://a.io")]],
  ])("%s", (_, input, expected) => {
    expect(linkify(input)).toEqual(expected);
  });

  it.each([
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://example.com/file",
    "www.example.com",
    '<a href="javascript:alert(1)">x</a>',
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
  ])("keeps %j as text", (input) => {
    expect(linkify(input)).toEqual([t(input)]);
  });

  it("links only the http URL inside hostile HTML, leaving the markup as text", () => {
    expect(linkify('<a href="http://evil.io">x</a>')).toEqual([t('<a href="'), a("http://evil.io"), t('">x</a>')]);
  });

  it("never yields a link whose scheme is not http(s)", () => {
    const tricky = "javascript:http://a.io https://b.io/javascript:x";
    const links = linkify(tricky).filter((segment) => segment.kind === "link");
    expect(links.map((link) => link.href)).toEqual(["http://a.io", "https://b.io/javascript:x"]);
    for (const link of links) expect(link.href).toMatch(/^https?:\/\//i);
  });

  it("loses no character: the segments join back to the input", () => {
    const input = "a (https://x.io/p?q=(1)). b https://y.io, <c> http://";
    expect(
      linkify(input)
        .map((segment) => segment.text)
        .join(""),
    ).toBe(input);
  });
});
