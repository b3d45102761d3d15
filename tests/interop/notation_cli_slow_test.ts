/**
 * The full cross product of `notation_cli_test.ts`'s sign/verify matrix: every place (layout,
 * Distribution 2.8, `ocisign serve`), both notation releases, both directions, JWS and COSE, RSA
 * and EC. Run by `deno task test:slow`. Needs what `notation_cli_test.ts` needs.
 */
import { caseName, matrix, MISSING, runMatrixCase, withFixture } from "./notation_cli/fixture.ts";

Deno.test({
  name: "ocisign and the notation CLI: every place, release, direction, format and key",
  ignore: MISSING,
  fn: (t) =>
    withFixture(async (fx) => {
      let n = 0;
      for (const c of matrix(fx, false)) {
        await t.step(caseName(c), () => runMatrixCase(fx, c, `full${n++}`));
      }
    }),
});
