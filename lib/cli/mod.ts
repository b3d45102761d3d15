/**
 * The ocisign command line.
 *
 * @module
 */
export * from "./main.ts";
export type * from "./io.ts";
export * from "./exit_codes.ts";
