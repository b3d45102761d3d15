/**
 * An {@linkcode UploadStore} that keeps upload sessions as files under one directory, one
 * sub-directory per session and one file per part, so memory stays flat however large the blob.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { Fs } from "../content/fs.ts";
import type { Op } from "../content/storage.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { SizeMismatchError } from "../errors.ts";
import { counted, writeHashedPart } from "./_hashed_part.ts";
import type { UploadStore } from "./repository.ts";

const SESSION_ID_REGEXP = /^[a-f0-9-]{1,64}$/;

function checkId(id: string): string {
  // Session ids come from crypto.randomUUID(); anything else must never reach a path.
  if (!SESSION_ID_REGEXP.test(id)) {
    throw new RangeError(`Invalid upload session id ${JSON.stringify(id)}`);
  }
  return id;
}

/**
 * Creates an {@linkcode UploadStore} under `dir` (created on first use; sessions left by an
 * earlier process are removed then). With `hasher`, and a file system that writes bodies
 * natively and scans files, it also has {@linkcode UploadStore.writeHashedPart}.
 *
 * @example
 * ```ts ignore
 * import { createFsUploadStore } from "./fs_upload_store.ts";
 * import type { Fs } from "../content/fs.ts";
 * declare const fs: Fs; // the runtime layer's file system
 * const uploads = createFsUploadStore(fs, "/srv/registry/_uploads");
 * await uploads.create("0b6c9a52-0c3a-4f0e-9d6a-1d2c3b4a5f60");
 * ```
 * @param fs File-system access.
 * @param dir The directory that holds the sessions; nothing else may live there.
 * @param hasher Hashes a part on this thread where the file system has no hashing thread.
 * @returns The store.
 */
export function createFsUploadStore(fs: Fs, dir: string, hasher?: HasherFactory): UploadStore {
  let ready: Promise<void> | undefined;
  const init = (): Promise<void> => {
    ready ??= (async () => {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      // Sessions of an earlier process can never be resumed: drop them.
      for (const entry of await fs.readDir(dir)) {
        if (SESSION_ID_REGEXP.test(entry.name)) {
          await fs.remove(`${dir}/${entry.name}`, { recursive: true });
        }
      }
    })();
    return ready;
  };
  const store: UploadStore = {
    async create(id: string, _opts?: Op): Promise<void> {
      await init();
      await fs.mkdir(`${dir}/${checkId(id)}`, { mode: 0o700 });
    },

    async writePart(
      id: string,
      index: number,
      body: ReadableStream<Uint8Array>,
      opts: Op & { maxBytes: number; exact?: boolean },
    ): Promise<number> {
      const path = `${dir}/${checkId(id)}/${index}`;
      let written = 0;
      // 0644 like any blob, since a part may become one by rename; the uploads directory is 0700.
      await fs.writeFileAtomic(path, counted(body, opts.maxBytes, (n) => (written = n)), {
        mode: 0o644,
        ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      });
      if (opts.exact === true && written !== opts.maxBytes) {
        await fs.remove(path);
        throw new SizeMismatchError(`upload part ${index}`, opts.maxBytes, written);
      }
      return written;
    },

    partFile(id: string, index: number): string {
      if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`Invalid part ${index}`);
      return `${dir}/${checkId(id)}/${index}`;
    },

    readParts(id: string, parts: number): ReadableStream<Bytes> {
      const base = `${dir}/${checkId(id)}`;
      let index = 0;
      let current: ReadableStreamDefaultReader<Bytes> | undefined;
      let handle: { close(): Promise<void> } | undefined;
      const closeCurrent = async (): Promise<void> => {
        current?.releaseLock();
        current = undefined;
        await handle?.close();
        handle = undefined;
      };
      return new ReadableStream<Bytes>({
        async pull(controller): Promise<void> {
          for (;;) {
            if (current === undefined) {
              if (index >= parts) {
                controller.close();
                return;
              }
              const file = await fs.open(`${base}/${index}`);
              handle = file;
              current = file.stream().getReader();
              index += 1;
            }
            const { done, value } = await current.read();
            if (!done) {
              controller.enqueue(value);
              return;
            }
            await closeCurrent();
          }
        },
        async cancel(): Promise<void> {
          await current?.cancel().catch(() => {});
          await closeCurrent();
        },
      });
    },

    async remove(id: string): Promise<void> {
      await fs.remove(`${dir}/${checkId(id)}`, { recursive: true });
    },
  };
  if (hasher !== undefined && fs.writeBodyFile !== undefined && fs.scanFile !== undefined) {
    store.writeHashedPart = (id, index, body, opts) =>
      writeHashedPart(fs, hasher, store.partFile!(id, index), body, opts);
  }
  return store;
}
