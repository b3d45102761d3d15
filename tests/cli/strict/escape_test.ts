/**
 * Attacker-controlled fields (the unsigned signing agent, signed user metadata) print escaped in
 * text output: an ESC or a newline cannot recolour the terminal or fake a success line.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { ok, withSigningSandbox } from "../commands/_fixture.ts";
import { openLayout } from "../../../lib/layout/open_layout.ts";
import { nodeFs, nodeHasherFactory } from "../../../lib/runtime/mod.ts";
import { signArtifact } from "../../../lib/sign/sign_artifact.ts";
import { LocalSigner } from "../../../lib/signature/signer.ts";

const AGENT = "\n\x1b[32mSuccessfully verified\x1b[0m\r\x9b";

Deno.test("inspect, list and verify print control characters of signature fields escaped", async () => {
  await withSigningSandbox(async (sb) => {
    const keys = `${sb.configDir}/localkeys/wabbit-networks.io`;
    const signer = await LocalSigner.create({
      privateKey: await Deno.readTextFile(`${keys}.key`),
      certificateChain: await Deno.readTextFile(`${keys}.crt`),
    });
    const layout = await openLayout(`${sb.cwd}/img`, nodeFs, { hasher: nodeHasherFactory });
    await signArtifact(layout, "v1", {
      signer,
      signingAgent: AGENT,
      userMetadata: { "note\x1b[31m": "line1\nline2" },
    });
    await layout.commit();
    await layout.close();

    const inspect = ok(await sb.run("inspect", "--oci-layout", "./img:v1"));
    assert.ok(
      // deno-lint-ignore no-control-regex
      !/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(inspect.stdout),
      JSON.stringify(inspect.stdout),
    );
    assert.ok(
      inspect.stdout.includes(
        "signingAgent: \\n\\x1b[32mSuccessfully verified\\x1b[0m\\r\\x9b\n",
      ),
      inspect.stdout,
    );
    assert.ok(inspect.stdout.includes("note\\x1b[31m: line1\\nline2\n"), inspect.stdout);
    assertEquals(inspect.stdout.match(/Successfully verified/g)?.length, 1);

    const verify = ok(
      await sb.run("verify", "--oci-layout", "./img:v1", "--scope", "local/hello-world"),
    );
    assert.ok(!verify.stdout.includes("\x1b"), JSON.stringify(verify.stdout));
    assert.match(verify.stdout, /^note\\x1b\[31m +line1\\nline2 +$/m);

    // JSON keeps the exact bytes (JSON escapes them itself)
    const json = JSON.parse(
      ok(await sb.run("inspect", "--oci-layout", "./img:v1", "-o", "json")).stdout,
    );
    assertEquals(json.Signatures[0].unsignedAttributes.signingAgent, AGENT);
  });
});
