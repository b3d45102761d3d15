/**
 * The ocisign version, read from `deno.json` (bundled into the compiled binary).
 *
 * @module
 */
import denoJson from "../../deno.json" with { type: "json" };

/** The version printed by `--version` and sent as the signing agent. */
export const VERSION: string = denoJson.version;
