/**
 * `plugin install --file|--url` with zip and tar.gz archives, as notation takes them: the
 * `notation-<name>` executable inside is installed with the archive's other regular files
 * (LICENSE; a tar.gz's nested files by base name; a zip's top-level files only), the same files
 * the notation CLI installs from the same archives (made by the real `zip` and `tar`);
 * `--sha256sum` checks the archive; `-o json` reports what was installed.
 * Refused with a clear error and nothing installed: `..` names, links, two candidates, none, a
 * zip entry whose CRC-32 is wrong, files that reach 256 MiB, a wrong checksum.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { describeRun, withTempDir } from "../_helpers/e2e.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { encodeTarHeader } from "../../lib/tar/mod.ts";
import { type Host, host } from "./_host.ts";

const NOTATION = findPeer("notation");
const ZIP = findPeer("zip");
const TAR = findPeer("tar");

async function sh(cwd: string, ...argv: string[]): Promise<void> {
  const out = await new Deno.Command(argv[0]!, { args: argv.slice(1), cwd }).output();
  assertEquals(out.code, 0, `${argv.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A staging dir `pkg/` with notation-vault (a real plugin script) and a LICENSE. */
async function stage(h: Host): Promise<string> {
  const pkg = `${h.dir}/pkg`;
  await Deno.mkdir(`${pkg}/bin`, { recursive: true });
  await Deno.copyFile(await h.script("vault"), `${pkg}/notation-vault`);
  await Deno.chmod(`${pkg}/notation-vault`, 0o755);
  await Deno.writeTextFile(`${pkg}/LICENSE`, "Apache-2.0\n");
  await Deno.chmod(`${pkg}/LICENSE`, 0o640);
  await Deno.writeTextFile(`${pkg}/bin/README.md`, "# vault\n");
  await Deno.writeTextFile(`${pkg}/notation-vault.sha256`, "not an executable\n");
  await Deno.chmod(`${pkg}/notation-vault.sha256`, 0o644);
  return pkg;
}

/** The files of a plugin directory: name, permission bits and content. */
async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const mode = (await Deno.stat(`${dir}/${e.name}`)).mode! & 0o777;
    const text = new TextDecoder().decode(await Deno.readFile(`${dir}/${e.name}`)).slice(0, 40);
    out.push(`${e.name} ${mode.toString(8)} ${JSON.stringify(text)}`);
  }
  return out.sort();
}

async function installed(h: Host): Promise<boolean> {
  return (await h.run("plugin", "list")).stdout.includes("vault");
}

Deno.test({
  name: "plugin install takes a tar.gz and a zip holding notation-<name>, as notation does",
  ignore: ZIP === undefined || TAR === undefined,
  fn: (t) =>
    withTempDir("ocisign-plugin-archive-", async (dir) => {
      const h = await host(dir);
      const pkg = await stage(h);
      const members = ["notation-vault", "LICENSE", "bin/README.md", "notation-vault.sha256"];
      await sh(pkg, TAR!, "czf", `${dir}/vault-v1.tar.gz`, ...members);
      await sh(pkg, ZIP!, "-q", `${dir}/vault-v1.zip`, ...members);
      const pluginDir = `${h.configDir}/plugins/vault`;
      const installedFiles: Record<string, string[]> = {};

      const fromTar = await h.run(
        "plugin",
        "install",
        "--file",
        `${dir}/vault-v1.tar.gz`,
        "--sha256sum",
        await sha256(`${dir}/vault-v1.tar.gz`),
      );
      assertEquals(fromTar.code, 0, describeRun(fromTar));
      assertEquals(fromTar.stdout, "Successfully installed plugin vault, version 1.0.0\n");
      installedFiles["vault-v1.tar.gz"] = await files(pluginDir);
      // nested files by base name, the non-executable notation-* file beside the executable
      assertEquals(installedFiles["vault-v1.tar.gz"]!.map((f) => f.split(" ")[0]), [
        "LICENSE",
        "README.md",
        "notation-vault",
        "notation-vault.sha256",
      ]);
      assert.ok(installedFiles["vault-v1.tar.gz"]!.includes(`LICENSE 640 "Apache-2.0\\n"`));
      const signed = await h.run(
        "sign",
        "--oci-layout",
        "./hello:v1",
        "--plugin",
        "vault",
        "--id",
        "k",
        ...h.config("vault"),
      );
      assertEquals(signed.code, 0, describeRun(signed));

      const fromZip = await h.run(
        "plugin",
        "install",
        "--file",
        `${dir}/vault-v1.zip`,
        "--force",
        "-o",
        "json",
      );
      assertEquals(fromZip.code, 0, describeRun(fromZip));
      assertEquals(JSON.parse(fromZip.stdout), {
        name: "vault",
        version: "1.0.0",
        path: `${pluginDir}/notation-vault`,
        files: ["LICENSE", "notation-vault.sha256"],
      });
      assert.ok(await installed(h));
      // the zip's top-level files only; the earlier installation's README.md is gone
      installedFiles["vault-v1.zip"] = await files(pluginDir);
      assertEquals(installedFiles["vault-v1.zip"]!.map((f) => f.split(" ")[0]), [
        "LICENSE",
        "notation-vault",
        "notation-vault.sha256",
      ]);

      await t.step({
        name: "the notation CLI installs the same files from the same archives",
        ignore: NOTATION === undefined,
        fn: async () => {
          for (const archive of ["vault-v1.tar.gz", "vault-v1.zip"]) {
            const xdg = `${dir}/notation-${archive}`;
            const r = await runPeer(
              NOTATION!,
              ["plugin", "install", "--file", `${dir}/${archive}`],
              {
                cwd: h.cwd,
                env: { XDG_CONFIG_HOME: xdg, HOME: h.cwd },
              },
            );
            assertEquals(r.code, 0, `notation ${archive}: ${describeRun(r)}`);
            const listed = await runPeer(NOTATION!, ["plugin", "ls"], {
              cwd: h.cwd,
              env: { XDG_CONFIG_HOME: xdg, HOME: h.cwd },
            });
            assert.match(listed.stdout, /vault/);
            // notation installs the same files, with the same modes
            assertEquals(
              await files(`${xdg}/notation/plugins/vault`),
              installedFiles[archive],
              `notation ${archive}`,
            );
          }
        },
      });
    }),
});

Deno.test({
  name: "plugin install refuses bad archives, and installs nothing",
  ignore: ZIP === undefined || TAR === undefined,
  fn: () =>
    withTempDir("ocisign-plugin-archive-bad-", async (dir) => {
      const h = await host(dir);
      const pkg = await stage(h);
      await Deno.copyFile(`${pkg}/notation-vault`, `${pkg}/notation-other`);
      await Deno.symlink("notation-vault", `${pkg}/notation-link`);
      await Deno.copyFile(`${pkg}/notation-vault`, `${pkg}/bin/notation-vault`);
      await sh(pkg, TAR!, "czf", `${dir}/two.tar.gz`, "notation-vault", "notation-other");
      await sh(pkg, TAR!, "czf", `${dir}/none.tar.gz`, "LICENSE");
      await sh(pkg, TAR!, "czf", `${dir}/link.tar.gz`, "notation-link");
      await sh(pkg, TAR!, "czf", `${dir}/dotdot.tar.gz`, "--transform", "s,^,../,", "LICENSE");
      await sh(pkg, ZIP!, "-q", "-y", `${dir}/link.zip`, "notation-link");
      await sh(pkg, ZIP!, "-q", `${dir}/two.zip`, "notation-vault", "notation-other");
      // notation reads only the zip's top-level files
      await sh(pkg, ZIP!, "-q", `${dir}/nested.zip`, "bin/notation-vault", "LICENSE");
      await sh(pkg, ZIP!, "-q", "-0", `${dir}/crc.zip`, "notation-vault");
      const crc = await Deno.readFile(`${dir}/crc.zip`);
      const view = new DataView(crc.buffer);
      // a byte of the stored content, after the local header, its name and its extra field
      crc[30 + view.getUint16(26, true) + view.getUint16(28, true) + 5]! ^= 1;
      await Deno.writeFile(`${dir}/crc.zip`, crc);
      const huge = encodeTarHeader({
        path: "notation-vault",
        type: "file",
        mode: 0o755,
        uid: 0,
        gid: 0,
        size: 300 << 20,
        mtime: 0,
      });
      await Deno.writeFile(
        `${dir}/huge.tar.gz`,
        new Uint8Array(
          await new Response(new Blob([huge]).stream().pipeThrough(new CompressionStream("gzip")))
            .arrayBuffer(),
        ),
      );

      const cases: Array<[string, number, RegExp]> = [
        ["two.tar.gz", 8, /found more than one plugin executable file in the tar\.gz archive/],
        ["none.tar.gz", 8, /no plugin executable file was found in the tar\.gz archive/],
        ["link.tar.gz", 8, /holds a link "notation-link"/],
        ["dotdot.tar.gz", 8, /file name in tar\.gz cannot contain '\.\.'/],
        ["link.zip", 8, /holds a link "notation-link"/],
        ["two.zip", 8, /found more than one plugin executable file in the zip archive/],
        ["nested.zip", 8, /no plugin executable file was found in the zip archive/],
        ["crc.zip", 8, /does not match its recorded size and CRC-32/],
        ["huge.tar.gz", 8, /over the limit of 268435456 bytes/],
      ];
      for (const [archive, code, message] of cases) {
        const r = await h.run("plugin", "install", "--file", `${dir}/${archive}`);
        assertEquals(r.code, code, `${archive}: ${describeRun(r)}`);
        assert.match(r.stderr, message, `${archive}: ${r.stderr}`);
        assertEquals(await installed(h), false, `${archive}: nothing installed`);
      }
      await sh(pkg, TAR!, "czf", `${dir}/ok.tar.gz`, "notation-vault");
      const wrongSum = await h.run(
        "plugin",
        "install",
        "--file",
        `${dir}/ok.tar.gz`,
        "--sha256sum",
        await sha256(`${pkg}/notation-vault`),
      );
      assertEquals(wrongSum.code, 8, describeRun(wrongSum));
      assert.match(wrongSum.stderr, /Content digest mismatch/);
      assertEquals(await installed(h), false);
    }),
});
