/**
 * Private: the push of a blob from a file the runtime sends natively (a layout directory's blob
 * under Bun, see `Fs.fileBody`) to a destination that commits an upload only after a separate
 * check (a registry, {@linkcode CheckedPusher}). The file goes out as a `Blob`, without JavaScript
 * per chunk, while the source reads the file again and hashes it: the upload is committed only
 * when that check has passed, its size and digest matched.
 *
 * @module
 */
import {
  type BlobFile,
  canGiveBlobFiles,
  canPushChecked,
  type CheckedPusher,
} from "../content/blob_abilities.ts";
import type { ByteProgress } from "../content/byte_progress.ts";
import { isErrorCode } from "../errors.ts";
import type { ReadOnlyStorage, Storage } from "../content/storage.ts";
import type { Descriptor } from "../oci/descriptor.ts";

/**
 * Smallest blob sent from its file: below it, the extra request (the upload goes in `PATCH`
 * slices, then the commit) costs more than reading the bytes in JavaScript.
 */
const FILE_PUSH_MIN_BYTES = 8 * 1024 * 1024;

/** A blob to push from its file: the file and the destination that checks before it commits. */
export interface FilePush {
  file: BlobFile;
  dst: CheckedPusher;
}

/**
 * The blob's file and a destination for {@linkcode pushFromFile}, or `undefined` when the source
 * has no file to give (another store, another runtime, a file not of `desc.size` bytes), the
 * destination cannot commit after a check, or the blob is small.
 */
export async function filePushOf(
  src: ReadOnlyStorage,
  dst: Storage,
  desc: Descriptor,
  signal: AbortSignal,
): Promise<FilePush | undefined> {
  if (desc.size < FILE_PUSH_MIN_BYTES || !canGiveBlobFiles(src) || !canPushChecked(dst)) {
    return undefined;
  }
  const file = await src.blobFile(desc, { signal });
  return file === undefined ? undefined : { file, dst };
}

/**
 * Uploads the file while the source checks it by a second read (reporting its bytes to
 * `onBytes`); a failure of that check goes to `onSourceError` too.
 * @throws the check's error ({@linkcode SizeMismatchError}, {@linkcode DigestMismatchError}...),
 *   with nothing committed, or the upload's error.
 */
export async function pushFromFile(
  push: FilePush,
  desc: Descriptor,
  signal: AbortSignal,
  onBytes: ByteProgress | undefined,
  onSourceError: (err: unknown) => void,
): Promise<void> {
  await push.dst.pushChecked(desc, push.file.body, async (checkSignal) => {
    try {
      await push.file.check({
        signal: checkSignal,
        ...(onBytes !== undefined ? { onBytes: (n: number) => onBytes(desc, n) } : {}),
      });
    } catch (err) {
      // Stopped because the upload failed or the copy was cancelled: not the source's failure.
      if (!(isErrorCode(err, "ERR_ABORTED") && checkSignal.aborted)) onSourceError(err);
      throw err;
    }
  }, { signal });
}
