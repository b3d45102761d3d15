/**
 * Content model: storage, resolver and referrer interfaces, and the helpers that read content
 * bounded and verified.
 *
 * @module
 */
export type * from "./storage.ts";
export type * from "./fs.ts";
