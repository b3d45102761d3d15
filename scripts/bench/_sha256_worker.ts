/**
 * Child process of the `sha256` benchmark: streams a file through `nodeFs.open(...).stream()`
 * into one of the project's SHA-256 hashers and prints the hex digest.
 *
 * Run: `deno run -A scripts/bench/_sha256_worker.ts node|pure FILE`
 *
 * @module
 */
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { type HasherFactory, pureHasherFactory } from "../../lib/digest/mod.ts";

const FACTORIES: Record<string, HasherFactory> = {
  node: nodeHasherFactory,
  pure: pureHasherFactory,
};

const [mode, path] = Deno.args;
const factory = FACTORIES[mode ?? ""];
if (factory === undefined || path === undefined) {
  console.error("Usage: _sha256_worker.ts node|pure FILE");
  Deno.exit(2);
}
const hasher = factory("sha256");
const file = await nodeFs.open(path);
try {
  for await (const chunk of file.stream()) hasher.update(chunk);
} finally {
  await file.close();
}
console.log(hasher.digestHex());
