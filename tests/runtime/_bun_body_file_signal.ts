/**
 * Child process of `body_file_test.ts`, run under Bun: `nodeFs.writeBodyFile` (Bun's native
 * write) of a body that stalls stops on its signal. Prints one line per check passed, and the
 * first failure; the parent compares the lines.
 *
 * - The write rejects with the signal's reason, promptly, and leaves the partial file.
 * - The file's descriptor is not closed while Bun may still write through it: a file opened
 *   after the rejection (which could get that descriptor's number) receives none of the body's
 *   later bytes, and once the body ends the descriptor is closed.
 * - `serve`'s upload part whose hashing thread dies while the body stalls fails promptly, with
 *   the thread's error, and leaves no file and no descriptor (the body is stopped too).
 */
import { readdirSync, readlinkSync } from "node:fs";
import { open } from "node:fs/promises";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { writeHashedPart } from "../../lib/server/_hashed_part.ts";

const dir = process.argv[2]!;
const path = `${dir}/f`;

/** Descriptors of this process open on `file`. */
function openOn(file: string): number {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target === file || target === `${file} (deleted)`) n++;
    } catch {
      // closed while listed
    }
  }
  return n;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How `work` ended: resolved, rejected (with the message), or still running after 10 s. */
async function outcomeOf(work: Promise<unknown>): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work.then(() => "resolved", (err: Error) => `rejected: ${err.message}`),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve("still running after 10 s"), 10_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** 1000 bytes, then nothing until `released`; then 500 more and the end. */
function stallingBody(released: Promise<void>): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent === 0) controller.enqueue(new Uint8Array(1000).fill(1));
      else if (sent === 1) {
        await released;
        controller.enqueue(new Uint8Array(500).fill(2));
      } else controller.close();
      sent++;
    },
  });
}

let release!: () => void;
const stalling = stallingBody(new Promise<void>((resolve) => release = resolve));

const ac = new AbortController();
const write = nodeFs.writeBodyFile!(path, stalling, { signal: ac.signal });
while ((await nodeFs.stat(path).catch(() => undefined))?.size !== 1000) await sleep(5);
ac.abort(new Error("given up"));
const outcome = await outcomeOf(write);
console.log(outcome);
console.log(`partial file: ${(await nodeFs.stat(path))?.size} bytes`);

const other = await open(`${dir}/other`, "w");
release();
for (let i = 0; i < 1000 && openOn(path) > 0; i++) await sleep(10);
console.log(`descriptors left on the file: ${openOn(path)}`);
await other.write(new Uint8Array([9]));
await other.close();
console.log(`other file: ${(await nodeFs.stat(`${dir}/other`))?.size} bytes`);

// The upload part: its hashing thread "dies" once the first bytes are written.
const part = `${dir}/part`;
const died = {
  ...nodeFs,
  hashGrowingFile: async () => {
    while ((await nodeFs.stat(`${part}.partial`).catch(() => undefined))?.size !== 1000) {
      await sleep(5);
    }
    throw new Error("The hashing thread failed: gone");
  },
};
const never = new Promise<void>(() => {});
const partOutcome = await outcomeOf(
  writeHashedPart(died, nodeHasherFactory, part, stallingBody(never), {
    maxBytes: 4096,
    algorithm: "sha256",
  }),
);
console.log(`part: ${partOutcome}`);
for (let i = 0; i < 1000 && openOn(`${part}.partial`) > 0; i++) await sleep(10);
console.log(`part descriptors left: ${openOn(`${part}.partial`)}`);
console.log(`part files: ${readdirSync(dir).filter((n) => n.startsWith("part")).length}`);
