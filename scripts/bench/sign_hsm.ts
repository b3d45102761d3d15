/**
 * Rows of `sign-verify` for a key that never leaves hardware: signing a small layout with an EC
 * P-256 key in a SoftHSM token, as whole processes, by the ocisign binary directly (PKCS#11
 * through Bun's FFI), by the binary as a plugin host driving itself as `notation-ocisign` (the
 * plugin round trip's own overhead), and by the notation CLI 1.3.2 signing through
 * `notation-ocisign` (the named peer: notation has no PKCS#11 of its own). Needs
 * `softhsm2-util`, `pkcs11-tool` and `notation` on PATH.
 *
 * @module
 */
import { type Contender, runPaired } from "./_lib/contender.ts";
import { run } from "./_lib/measure.ts";
import { writeImageLayout } from "./_lib/layout.ts";
import { type Row, toRows } from "./_lib/report.ts";
import { type OcisignRunner, requireTool } from "./_lib/tools.ts";

const PEER = "notation → notation-ocisign";
const MODULES = [
  "/usr/lib/softhsm/libsofthsm2.so",
  "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
  "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
];

/**
 * Runs the SoftHSM signing rows with the compiled binary.
 *
 * @example
 * ```ts ignore
 * const rows = await benchHsmSign(work, runners[1]!, 10);
 * ```
 */
export async function benchHsmSign(work: string, bin: OcisignRunner, runs: number): Promise<Row[]> {
  const [softhsm, tool, notation] = await Promise.all([
    requireTool("softhsm2-util"),
    requireTool("pkcs11-tool"),
    requireTool("notation"),
  ]);
  const module = MODULES.find((m) => {
    try {
      return Deno.statSync(m).isFile;
    } catch {
      return false;
    }
  });
  if (module === undefined) throw new Error("libsofthsm2.so not found: apt-get install softhsm2");
  const dir = `${work}/hsm`;
  await Deno.mkdir(`${dir}/tokens`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/softhsm2.conf`,
    `directories.tokendir = ${dir}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  const xdg = `${dir}/xdg`;
  const env = {
    SOFTHSM2_CONF: `${dir}/softhsm2.conf`,
    OCISIGN_CONFIG_DIR: `${xdg}/notation`,
    XDG_CONFIG_HOME: xdg,
    OCISIGN_PKCS11_PIN: "1234",
    NOTATION_EXPERIMENTAL: "1",
  };
  await run(softhsm, [
    "--init-token",
    "--free",
    "--label",
    "bench",
    "--pin",
    "1234",
    "--so-pin",
    "12345678",
  ], { env });
  await run(tool, [
    "--module",
    module,
    "--token-label",
    "bench",
    "--login",
    "--pin",
    "1234",
    "--keypairgen",
    "--key-type",
    "EC:prime256v1",
    "--label",
    "release",
    "--id",
    "01",
  ], { env });
  const uri = "pkcs11:token=bench;object=release";
  await run(bin.cmd, ["cert", "generate-test", "hsm", "--pkcs11", uri, "--pkcs11-module", module], {
    env,
  });
  await run(bin.cmd, ["plugin", "install-self"], { env });
  const pristine = (await writeImageLayout(`${dir}/pristine`, "v1", [1024])).dir;
  const fresh = (name: string) => async (i: number): Promise<void> => {
    await run("cp", ["-r", pristine, `${dir}/${name}-${i}`]);
  };
  const contenders: Contender[] = [
    {
      name: "ocisign (binary), PKCS#11",
      cmd: bin.cmd,
      env,
      setup: fresh("direct"),
      args: (i) => ["sign", "--oci-layout", `${dir}/direct-${i}:v1`, "--key", "hsm"],
    },
    {
      name: "ocisign (binary) → notation-ocisign",
      cmd: bin.cmd,
      env,
      setup: fresh("hosted"),
      args: (i) => [
        "sign",
        "--oci-layout",
        `${dir}/hosted-${i}:v1`,
        "--plugin",
        "ocisign",
        "--id",
        "hsm",
      ],
    },
    {
      name: PEER,
      cmd: notation,
      env,
      setup: fresh("notation"),
      args: (i) => ["sign", "--oci-layout", `${dir}/notation-${i}:v1`, "--key", "hsm"],
    },
  ];
  const results = await runPaired(contenders, runs);
  return toRows("sign (SoftHSM EC P-256 key)", results, PEER, {});
}
