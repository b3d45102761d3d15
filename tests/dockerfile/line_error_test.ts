import { assert, assertEquals } from "../_helpers/assert.ts";
import { parseInstruction } from "../../lib/dockerfile/dockerfile_parser.ts";
import { atLine, DockerfileLineError } from "../../lib/dockerfile/line_error.ts";
import { BuildError, InvalidInputError } from "../../lib/errors.ts";

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

Deno.test("atLine() names the instruction's line once, by the error's type", () => {
  const instr = parseInstruction("COPY a b", 7);
  const plain = caught(() =>
    atLine(instr, () => {
      throw new BuildError("bad substitution", { details: { variable: "A" } });
    })
  );
  assert(plain instanceof DockerfileLineError);
  assertEquals(plain.line, 7);
  assertEquals(plain.code, "ERR_BUILD");
  assertEquals(plain.message, "Dockerfile line 7: COPY: bad substitution");
  assertEquals(plain.details, { variable: "A" });
  assert(plain.cause instanceof BuildError);

  const inner = new DockerfileLineError(3, "ONBUILD trigger is invalid");
  assertEquals(
    caught(() =>
      atLine(instr, () =>
        atLine(instr, () => {
          throw inner;
        }))
    ),
    inner,
  );

  // A message that merely looks like it names a line is still prefixed: the type decides.
  const lookalike = caught(() =>
    atLine(instr, () => {
      throw new BuildError("Dockerfile line 1: from a nested file");
    })
  );
  assert(lookalike instanceof DockerfileLineError);
  assertEquals(lookalike.message, "Dockerfile line 7: COPY: Dockerfile line 1: from a nested file");

  const other = new InvalidInputError("not a build error");
  assertEquals(
    caught(() =>
      atLine(instr, () => {
        throw other;
      })
    ),
    other,
  );
  assertEquals(atLine(instr, () => 42), 42);
});
