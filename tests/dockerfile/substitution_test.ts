import { assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import { expandWord } from "../../lib/dockerfile/shell_lexer.ts";
import {
  replacePattern,
  shellPatternToRegExp,
  trimPattern,
} from "../../lib/dockerfile/substitution.ts";

const env = new Map([
  ["str", "foobarbaz"],
  ["string", "foobarbaz"],
  ["EMPTY", ""],
  ["P", "/usr/local/bin"],
  ["F", "archive.tar.gz"],
  ["V", "v1.2.3"],
  ["STAR", "a*b?c"],
  ["SP", "a b  c"],
]);
const lookup = (name: string): string | undefined => env.get(name);

// Expected values are BuildKit's (dockerfile frontend 1.7+ shell lexer), including the examples
// of the Dockerfile reference.
const CASES: Array<[string, string]> = [
  ["${str#f*b}", "arbaz"],
  ["${str##f*b}", "az"],
  ["${string%b*}", "foobar"],
  ["${string%%b*}", "foo"],
  ["${string/ba/fo}", "fooforbaz"],
  ["${string//ba/fo}", "fooforfoz"],
  ["${P##*/}", "bin"],
  ["${P#/}", "usr/local/bin"],
  ["${P%/*}", "/usr/local"],
  ["${F%.*}", "archive.tar"],
  ["${F%%.*}", "archive"],
  ["${F#*.}", "tar.gz"],
  ["${F##*.}", "gz"],
  ["${V#v}", "1.2.3"],
  ["${V//./-}", "v1-2-3"],
  ["${V/?/x}", "x1.2.3"],
  ["${str#nomatch}", "foobarbaz"],
  ["${str%nomatch}", "foobarbaz"],
  ["${str/nomatch/x}", "foobarbaz"],
  ["${str//o/}", "fbarbaz"],
  ["${str//*/x}", "x"],
  ["${str//?/x}", "xxxxxxxxx"],
  ["${str/#/x}", "foobarbaz"], // `#` is a literal here, not bash's anchor
  ["${STAR#a\\*}", "b?c"],
  ["${STAR%\\?c}", "a*b"],
  ["${STAR//\\?/Q}", "a*bQc"],
  ["${UNSET#x}", ""],
  ["${UNSET/x/y}", ""],
  ["${EMPTY%%*}", ""],
  ['${str#"foo"}', "barbaz"],
  ["${str#$EMPTY}", "foobarbaz"],
  ["${str#${V%%.*}}", "foobarbaz"],
  ["${P%/${P##*/}}", "/usr/local"],
  ["x${str:0:1}y".replace("${str:0:1}", "${str:-d}"), "xfoobarbazy"],
  ["${EMPTY:-def}|${EMPTY-def}|${UNSET-def}", "def||def"],
  ["${str:+alt}|${EMPTY:+alt}|${EMPTY+alt}", "alt||alt"],
  ["${SP// /_}", "a_b__c"],
  ["$str.${str%%b*}", "foobarbaz.foo"],
];

Deno.test("expandWord() applies the pattern substitutions as BuildKit does", () => {
  for (const [word, expected] of CASES) {
    assertEquals(expandWord(word, lookup), expected, word);
  }
});

Deno.test("expandWord() refuses what BuildKit's lexer refuses", () => {
  const bad: Array<[string, string]> = [
    ["${str:#x}", "unsupported modifier (:#)"],
    ["${str:%x}", "unsupported modifier (:%)"],
    ["${str=x}", "unsupported modifier (=)"],
    ["${str", "missing '}'"],
    ["${}", "bad substitution"],
    ["${:x}", "bad substitution"],
    ["${str/x}", "matching /"],
    ["${str#\\x}", "invalid escape"],
    ["${UNSET:?}", "UNSET: is not allowed to be unset"],
    ["${EMPTY:?}", "EMPTY: is not allowed to be empty"],
    ["${UNSET?gone}", "UNSET: gone"],
  ];
  for (const [word, message] of bad) {
    assertThrowsCode(() => expandWord(word, lookup), "ERR_BUILD", message);
  }
  assertEquals(expandWord("${EMPTY?x}", lookup), "");
});

Deno.test("trimPattern() and replacePattern() match shortest and longest as the shell does", () => {
  assertEquals(trimPattern("aXbXc", "*X", { fromEnd: false, greedy: false }), "bXc");
  assertEquals(trimPattern("aXbXc", "*X", { fromEnd: false, greedy: true }), "c");
  assertEquals(trimPattern("aXbXc", "X*", { fromEnd: true, greedy: false }), "aXb");
  assertEquals(trimPattern("aXbXc", "X*", { fromEnd: true, greedy: true }), "a");
  assertEquals(trimPattern("ab*", "\\*", { fromEnd: true, greedy: false }), "ab");
  assertEquals(trimPattern("日本語", "?", { fromEnd: false, greedy: false }), "本語");
  assertEquals(replacePattern("abc", "", "-", true), "-a-b-c-");
  assertEquals(replacePattern("abcbc", "b*", "-", true), "a-");
  assertEquals(replacePattern("abcbc", "b?", "-", true), "a--");
  assertEquals(replacePattern("a.b.c", ".", "$&", true), "a$&b$&c");
  assertEquals(shellPatternToRegExp("a.(b)", { greedy: true, anchored: true }).test("a.(b)"), true);
});
