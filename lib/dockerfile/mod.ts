/**
 * The Dockerfile front end: parsing (parser directives, continuations, flags, exec and shell
 * forms, heredocs), shell-style word splitting and variable expansion, and `.dockerignore`
 * matching. Nothing here builds anything; `image_builder` carries the instructions out.
 *
 * @example Parse a Dockerfile and expand an instruction's words
 * ```ts
 * import { expandWords, parseDockerfile } from "./mod.ts";
 * const df = parseDockerfile("FROM scratch\nENV A=1\nCOPY $A /dst/\n");
 * const copy = df.instructions[2]!;
 * console.log(copy.keyword, expandWords(copy.args, (n) => (n === "A" ? "a.txt" : undefined)));
 * // COPY ["a.txt", "/dst/"]
 * ```
 *
 * @module
 */
export * from "./dockerfile_parser.ts";
export * from "./shell_lexer.ts";
export * from "./dockerignore.ts";
