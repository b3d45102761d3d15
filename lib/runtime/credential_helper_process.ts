/**
 * Docker credential helpers (`docker-credential-<name>`) run as child processes over
 * `node:child_process`: the {@linkcode CredentialHelperRunner} the registry layer receives.
 *
 * @see https://github.com/docker/docker-credential-helpers#development
 * @module
 */
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import type { CredentialHelperRunner } from "../registry/credentials.ts";

/**
 * Runs a helper program with `stdin`, collecting its standard output (standard error is
 * ignored; a helper's message never reaches the output, as it may hold a secret).
 *
 * @example
 * ```ts
 * import { processCredentialHelper } from "./credential_helper_process.ts";
 * const { code, stdout } = await processCredentialHelper.run("sh", ["-c", "cat"], "{}");
 * if (code !== 0 || stdout !== "{}") throw new Error(`unexpected ${code} ${stdout}`);
 * ```
 */
export const processCredentialHelper: CredentialHelperRunner = {
  run(program, args, stdin) {
    return new Promise((resolve, reject) => {
      const child = spawn(program, args, { stdio: ["pipe", "pipe", "ignore"] });
      const out: Uint8Array[] = [];
      child.stdout.on("data", (chunk: Uint8Array) => out.push(chunk));
      child.on("error", reject);
      child.on(
        "close",
        (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString("utf8") }),
      );
      child.stdin.end(stdin);
    });
  },
};
