/**
 * The scratch files of an upload session of a registry served over layouts under `root`, and a
 * wait for the first of them (a request is writing the session).
 *
 * @module
 */

/** The names in the upload session `location`'s scratch directory under `root`. */
export async function sessionFiles(root: string, location: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(`${root}/_uploads/${location.split("/").pop()}`)) {
    names.push(e.name);
  }
  return names;
}

/** Waits until the upload session `location` under `root` has a file: a request is writing it. */
export async function untilPartStarted(root: string, location: string): Promise<void> {
  while ((await sessionFiles(root, location)).length === 0) {
    await new Promise((r) => setTimeout(r, 10));
  }
}
