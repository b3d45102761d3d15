/**
 * The verification-plugin gate of the verifier: SemVer precedence for
 * `io.cncf.notary.verificationPluginMinVersion` (as notation-go compares with x/mod/semver),
 * capability filtering, and the failures for a missing host or plugin.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { NotFoundError } from "../../lib/errors.ts";
import { openVerificationPlugin } from "../../lib/verify/verification_plugin.ts";
import type { VerificationPluginHost } from "../../lib/verify/verification_plugin.ts";

function hostWith(version: string, capabilities: string[]): VerificationPluginHost {
  return {
    open: (name) =>
      name === "p"
        ? Promise.resolve({
          version,
          capabilities,
          verifySignature: () => Promise.reject(new Error("not called here")),
        })
        : Promise.reject(new NotFoundError(`plugin ${name} is not installed`)),
  };
}

const VERIFIER = ["SIGNATURE_GENERATOR.ENVELOPE", "SIGNATURE_VERIFIER.TRUSTED_IDENTITY"];

Deno.test("openVerificationPlugin() compares versions by SemVer precedence", async () => {
  const ok: Array<[string, string]> = [
    ["1.0.0", "1.0.0"],
    ["1.10.0", "1.9.0"],
    ["2.0.0", "1.99.99"],
    ["1.0.0", "1.0.0-rc.1"],
    ["1.0.0-rc.10", "1.0.0-rc.9"],
    ["1.0.0-beta", "1.0.0-alpha.1"],
    ["1.0.0-alpha.1", "1.0.0-alpha"],
    ["1.0.0+build.5", "1.0.0+build.9"],
  ];
  for (const [installed, min] of ok) {
    const s = await openVerificationPlugin(
      { name: "p", minVersion: min },
      hostWith(installed, VERIFIER),
    );
    assertEquals(s.capabilities, ["SIGNATURE_VERIFIER.TRUSTED_IDENTITY"], `${installed} >= ${min}`);
  }
  const low: Array<[string, string]> = [
    ["1.9.0", "1.10.0"],
    ["1.0.0-rc.1", "1.0.0"],
    ["1.0.0-alpha", "1.0.0-alpha.1"],
    ["1.0.0-1", "1.0.0-alpha"],
  ];
  for (const [installed, min] of low) {
    const err = await openVerificationPlugin(
      { name: "p", minVersion: min },
      hostWith(installed, VERIFIER),
    )
      .then(() => undefined, (e: Error) => e);
    assert.match(
      String(err?.message),
      /needs plugin version greater than or equal to/,
      `${installed} < ${min}`,
    );
  }
});

Deno.test("openVerificationPlugin() fails closed: no host, not installed, bad version, no verifier capability", async () => {
  const fails = async (
    host: VerificationPluginHost | undefined,
    name: string,
    message: RegExp,
  ) => {
    const err = await openVerificationPlugin({ name }, host).then(() => undefined, (e: Error) => e);
    assert.match(String(err?.message), message);
    assertEquals((err as { code?: string }).code, "ERR_SIGNATURE_INTEGRITY");
  };
  await fails(
    undefined,
    "p",
    /requires the verification plugin "p", and this verification runs no plugins/,
  );
  await fails(hostWith("1.0.0", VERIFIER), "q", /error while locating the verification plugin "q"/);
  await fails(
    hostWith("v1.0", VERIFIER),
    "p",
    /pluginVersion v1.0 which is not in valid semver format/,
  );
  await fails(
    hostWith("1.0.0", ["SIGNATURE_GENERATOR.RAW"]),
    "p",
    /requires plugin "p" with signature verification capabilities/,
  );
});
