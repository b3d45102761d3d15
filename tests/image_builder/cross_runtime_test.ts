import { assertEquals } from "../_helpers/assert.ts";
import { havePeer, run, withTempDir, writeFiles } from "./_helpers.ts";
import { BUN_PRELOAD } from "../_helpers/bun.ts";

Deno.test({
  name: "buildImage() gives the same digest under Deno and Bun",
  ignore: !havePeer("bun") || !havePeer("tar"),
}, async () => {
  await withTempDir(async (tmp) => {
    const text = Array.from({ length: 5000 }, (_, i) => `line ${i} ${"x".repeat(i % 97)}`).join(
      "\n",
    );
    await writeFiles(`${tmp}/ctx`, {
      "big.txt": text,
      "dir/a.json": '{"a":1}',
      Dockerfile: [
        "FROM scratch AS unpack",
        "ADD big.tar.gz /src/",
        "FROM scratch",
        "COPY . /app/",
        "COPY --from=unpack /src/big.txt /unpacked.txt",
        "ENV A=1",
        'CMD ["/app/x"]',
        "",
      ].join("\n"),
    });
    const tar = run("tar", ["-czf", `${tmp}/ctx/big.tar.gz`, "-C", `${tmp}/ctx`, "big.txt"]);
    assertEquals(tar.code, 0, tar.out);
    await Deno.mkdir(`${tmp}/spool`);
    const script = new URL("./_cross_runtime_build.ts", import.meta.url).pathname;
    const deno = run(Deno.execPath(), ["run", "-A", script, `${tmp}/ctx`, `${tmp}/deno`]);
    assertEquals(deno.code, 0, deno.out);
    const bun = run("bun", [
      "run",
      ...BUN_PRELOAD,
      script,
      `${tmp}/ctx`,
      `${tmp}/bun`,
      `${tmp}/spool`,
    ]);
    assertEquals(bun.code, 0, bun.out);
    assertEquals(bun.out.trim(), deno.out.trim(), "the same digest, spooled (Bun) or not (Deno)");
  });
});
