import { assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import {
  expandWord,
  expandWords,
  parseKeyValues,
  splitWords,
} from "../../lib/dockerfile/shell_lexer.ts";

const env = new Map([["A", "x"], ["EMPTY", ""], ["SP", "a b"]]);
const lookup = (n: string): string | undefined => env.get(n);

Deno.test("expandWord() substitutes $VAR and ${VAR}", () => {
  assertEquals(expandWord("$A/${A}y/$Ay/$UNSET.", lookup), "x/xy//.");
  assertEquals(expandWord("cost $ 5 $", lookup), "cost $ 5 $");
});

Deno.test("expandWord() handles :- - :+ + modifiers as Docker does", () => {
  assertEquals(expandWord("${UNSET:-d}|${EMPTY:-d}|${A:-d}", lookup), "d|d|x");
  assertEquals(expandWord("${UNSET-d}|${EMPTY-d}|${A-d}", lookup), "d||x");
  assertEquals(expandWord("${UNSET:+alt}|${EMPTY:+alt}|${A:+alt}", lookup), "||alt");
  assertEquals(expandWord("${UNSET+alt}|${EMPTY+alt}|${A+alt}", lookup), "|alt|alt");
  assertEquals(expandWord("${UNSET:-${A}-nested}", lookup), "x-nested");
});

Deno.test("expandWord() fails on :? and unsupported modifiers", () => {
  assertThrowsCode(() => expandWord("${UNSET:?must be set}", lookup), "ERR_BUILD", "must be set");
  assertEquals(expandWord("${A:?no}", lookup), "x");
  assertThrowsCode(() => expandWord("${A=x}", lookup), "ERR_BUILD", "unsupported modifier (=)");
  assertThrowsCode(() => expandWord("${A", lookup), "ERR_BUILD");
});

Deno.test("expandWord() honours quotes and escapes", () => {
  assertEquals(expandWord("'$A'", lookup), "$A");
  assertEquals(expandWord('"$A \\$A \\" \\n"', lookup), 'x $A " \\n');
  assertEquals(expandWord("\\$A", lookup), "$A");
  assertEquals(expandWord("`$A", lookup, "`"), "$A");
  assertEquals(expandWord("a\\ b", lookup), "a b");
  assertThrowsCode(() => expandWord("'open", lookup), "ERR_BUILD", "quote");
});

Deno.test("splitWords() and expandWords() split on unquoted whitespace only", () => {
  assertEquals(splitWords(`a "b c" d\\ e 'f g'`), ["a", '"b c"', "d\\ e", "'f g'"]);
  assertEquals(expandWords(`$SP "$SP" x`, lookup), ["a b", "a b", "x"]);
});

Deno.test("parseKeyValues() parses pairs, the legacy form and bare names", () => {
  assertEquals(parseKeyValues('K=v Q="a b" E=', lookup), [["K", "v"], ["Q", "a b"], ["E", ""]]);
  assertEquals(parseKeyValues("KEY some value $A", lookup, { allowLegacy: true }), [[
    "KEY",
    "some value x",
  ]]);
  assertEquals(parseKeyValues("N M=1", lookup, { allowBare: true }), [["N", undefined], [
    "M",
    "1",
  ]]);
  assertThrowsCode(() => parseKeyValues("N", lookup), "ERR_BUILD", "key=value");
});

Deno.test("parseKeyValues() does not let pairs on one line see each other", () => {
  assertEquals(parseKeyValues("A=bye B=$A", lookup), [["A", "bye"], ["B", "x"]]);
});
