import { assert, assertEquals } from "../_helpers/assert.ts";
import { buildImage, createLayoutBaseResolver } from "../../lib/image_builder/mod.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import {
  havePeer,
  nodeFs,
  nodeHasherFactory,
  openOutput,
  readImage,
  readLayer,
  run,
  withTempDir,
  writeFiles,
} from "./_helpers.ts";

/** Deterministic bytes (xorshift32), so that the layer digests can be pinned. */
function pseudoRandom(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const BIG = pseudoRandom(300 * 1024 + 7, 7);
const TOOL = pseudoRandom(200 * 1024 + 5, 9);
const PAYLOAD = pseudoRandom(150 * 1024 + 3, 11);

async function sha256(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(bytes)));
  return `sha256:${Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Sets 0755 on directories and 0644 on files below `dir`, whatever the umask. */
async function normalizeModes(dir: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isSymlink) continue;
    await Deno.chmod(path, entry.isDirectory ? 0o755 : 0o644);
    if (entry.isDirectory) await normalizeModes(path);
  }
}

/** A base image (a layout) and a context with a gzip tar and a plain tar. */
async function makeInputs(tmp: string): Promise<void> {
  await writeFiles(`${tmp}/base`, {
    "etc/passwd": "root:x:0:0::/root:/bin/sh\napp:x:10:20::/:/bin/sh\n",
    "etc/group": "root:x:0:\napp:x:20:\n",
    "files/small.txt": "small\n",
  });
  await Deno.writeFile(`${tmp}/base/files/big.bin`, BIG);
  await Deno.symlink("small.txt", `${tmp}/base/files/link`);
  await Deno.link(`${tmp}/base/files/small.txt`, `${tmp}/base/files/hard.txt`);
  await normalizeModes(`${tmp}/base`);
  const base = await openOutput(`${tmp}/baselayout`);
  await buildImage({
    context: `${tmp}/base`,
    dockerfile: "FROM scratch\nCOPY . /\n",
    fs: nodeFs,
    output: base,
    tags: ["b:v1"],
    hasher: nodeHasherFactory,
  });
  await writeFiles(`${tmp}/src`, { "pkg/readme": "readme\n" });
  await Deno.mkdir(`${tmp}/src/pkg/bin`);
  await Deno.writeFile(`${tmp}/src/pkg/bin/tool`, TOOL);
  await Deno.symlink("bin/tool", `${tmp}/src/pkg/tool-link`);
  await Deno.link(`${tmp}/src/pkg/bin/tool`, `${tmp}/src/pkg/tool-hard`);
  await writeFiles(`${tmp}/users`, {
    "etc/passwd": "root:x:0:0::/root:/bin/sh\nweb:x:33:44::/:/bin/sh\n",
    "etc/group": "web:x:44:\n",
  });
  await writeFiles(`${tmp}/ctx`, { "local.txt": "local\n" });
  await normalizeModes(`${tmp}/src`);
  await normalizeModes(`${tmp}/users`);
  const common = ["--sort=name", "--owner=0", "--group=0", "--mtime=@0"];
  for (
    const [name, flags, dir, what] of [
      ["pkg.tar.gz", "-czf", "src", "pkg"],
      ["pkg.tar", "-cf", "src", "pkg"],
      ["users.tar", "-cf", "users", "etc"],
    ]
  ) {
    const made = run("tar", [
      ...common,
      flags!,
      `${tmp}/ctx/${name}`,
      "-C",
      `${tmp}/${dir}`,
      what!,
    ]);
    assertEquals(made.code, 0, made.out);
  }
  await normalizeModes(`${tmp}/ctx`);
}

const DOCKERFILE = (tmp: string, url: string, sum: string): string =>
  [
    `FROM oci-layout://${tmp}/baselayout:v1 AS one`,
    "ADD pkg.tar.gz /opt/",
    "FROM scratch AS two",
    "COPY local.txt /l.txt",
    `FROM oci-layout://${tmp}/baselayout:v1`,
    `COPY --from=oci-layout://${tmp}/baselayout:v1 /files /copied/`,
    "COPY --chown=app:app --from=one /opt/pkg /frompkg",
    "COPY --from=two /l.txt /l2.txt",
    "ADD pkg.tar /plain/",
    `ADD --checksum=${sum} ${url} /dl/`,
    `ADD ${url} /dl2/x.bin`,
    "COPY --from=one /files/big.bin /files/hard.txt /again/",
    "ADD users.tar /",
    "COPY --chown=web local.txt /l3.txt",
    "",
  ].join("\n");

async function buildAll(tmp: string, out: string, spoolDir?: string): Promise<Descriptor[]> {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(PAYLOAD),
  );
  const url = `http://127.0.0.1:${server.addr.port}/files/data.bin`;
  const bases = createLayoutBaseResolver(nodeFs, { hasher: nodeHasherFactory });
  const output = await openOutput(out);
  try {
    const result = await buildImage({
      context: `${tmp}/ctx`,
      dockerfile: DOCKERFILE(tmp, url, await sha256(PAYLOAD)),
      fs: nodeFs,
      output,
      resolveBase: bases.resolve,
      fetch,
      hasher: nodeHasherFactory,
      timestamp: 1700000000,
      ...(spoolDir === undefined ? {} : { spoolDir }),
    });
    return (await readImage(output, result.descriptor)).manifest.layers;
  } finally {
    await bases.close();
  }
}

// The layers as the builder wrote them before contents were streamed: changing how contents
// travel must not change a single byte.
const PINNED = [
  "sha256:4379f6ec2d1dc38176ac45847e84183ff2a7e6f13e1c45a8454234c7b00e968c",
  "sha256:f8289a3e21b3554e37ecdb47f25e1e5c4c28e5950dca8d25db3986f62fb9561d",
  "sha256:63666f5d82bebea681c6bd9695720275be7e79734102c5273297d3b64510e88a",
  "sha256:d898f3933216ace9f7b73746598c1d16c46b4545f5821f8d1704cd9e796f944a",
  "sha256:2b02b6d5092e6112d5675817be6a93d9a88f013f7b54e9b1cf345991272cfd6a",
  "sha256:81be61636c8a4cf1b61d1051633afdace6d749d8548e506cbaa1953239038226",
  "sha256:80edf7b8773506c9a8dd44dd6f24db99e8f17165de91fab2562821a829a3bcad",
  "sha256:06d1eb7087d531055f411268d7461cc559e1c9078498c9777f6f293a2de39969",
  "sha256:4f586be930e6af3f1635ee7eb60a495891ee39075c8d9ff26b10b1f32970cc3d",
  "sha256:b1263818f01da114ad77b364b6c2183b6b3fcf85e3db8e60fd7d5b2d36194346",
];

Deno.test({
  name: "buildImage() streams COPY --from and ADD contents with the same layers, spooled or not",
  ignore: !havePeer("tar"),
}, async () => {
  await withTempDir(async (tmp) => {
    await makeInputs(tmp);
    await Deno.mkdir(`${tmp}/spool`);
    const spooled = await buildAll(tmp, `${tmp}/a`, `${tmp}/spool`);
    assertEquals([...Deno.readDirSync(`${tmp}/spool`)], [], "no temporary file is left");
    const inMemory = await buildAll(tmp, `${tmp}/b`);
    assertEquals(spooled.map((l) => l.digest), inMemory.map((l) => l.digest));
    assertEquals(spooled.map((l) => l.digest), PINNED);

    const output = await openOutput(`${tmp}/a`);
    const layer = async (i: number): Promise<Map<string, Uint8Array | string>> => {
      const entries = await readLayer(output, spooled[i]!);
      return new Map(
        entries.map((e) => [e.header.path, e.content ?? `${e.header.type}:${e.header.linkname}`]),
      );
    };
    const copied = await layer(1);
    assertEquals(await sha256(copied.get("copied/big.bin") as Uint8Array), await sha256(BIG));
    assertEquals(copied.get("copied/link"), "symlink:small.txt");
    const fromStage = await layer(2);
    assertEquals(await sha256(fromStage.get("frompkg/bin/tool") as Uint8Array), await sha256(TOOL));
    assertEquals((await layer(3)).get("l2.txt"), new TextEncoder().encode("local\n"));
    const plain = await layer(4);
    assertEquals(await sha256(plain.get("plain/pkg/bin/tool") as Uint8Array), await sha256(TOOL));
    assertEquals(plain.get("plain/pkg/tool-hard"), "hardlink:plain/pkg/bin/tool");
    const downloaded = await layer(5);
    assertEquals(await sha256(downloaded.get("dl/data.bin") as Uint8Array), await sha256(PAYLOAD));
    const again = await layer(7);
    assertEquals(await sha256(again.get("again/big.bin") as Uint8Array), await sha256(BIG));
    assert(again.has("again/hard.txt"));
    const owners = (await readLayer(output, spooled[9]!)).map((e) => [e.header.path, e.header.uid]);
    assertEquals(owners, [["l3.txt", 33]], "--chown=web read /etc/passwd out of the ADD layer");
  });
});
