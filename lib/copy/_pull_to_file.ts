/**
 * Private: a blob pulled into a store that receives files ({@linkcode FileReceiver}: a layout
 * directory whose runtime writes files natively) from a source that hands its bytes over
 * unverified ({@linkcode UnverifiedFetcher}: a registry). The runtime moves the bytes from the
 * socket to a temporary file with no JavaScript per chunk, while this thread hashes the file as
 * it grows (large reads from the page cache); the file is trusted only once its digest and size
 * match. No stream hops, buffer copies or write promises per chunk are left on this thread.
 *
 * @module
 */
import type { FileReceiver, UnverifiedFetcher } from "../content/blob_abilities.ts";
import type { ByteProgress } from "../content/byte_progress.ts";
import { AbortedError, StorageError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { originError } from "./copy_graph.ts";

/**
 * Pulls `desc` from `src` into `dst` by way of a verified file. `onChecked` is told once the
 * bytes are written and checked; the promise settles once the file is flushed and in place.
 * @throws {OcisignError} the failure, with `details.origin`: `destination` for a file-system
 *   refusal, else `source` (the bytes did not match, or the transfer failed).
 */
export async function pullToFile(
  src: UnverifiedFetcher,
  dst: FileReceiver,
  desc: Descriptor,
  signal: AbortSignal,
  onBytes: ByteProgress | undefined,
  onChecked?: () => void,
): Promise<void> {
  const got = await src.fetchUnverified(desc, { signal }).catch((err: unknown) => {
    throw originError(err, "source", desc);
  });
  onBytes?.(desc, 0);
  try {
    await dst.receiveFile(desc, got.body, {
      signal: got.signal === undefined ? signal : AbortSignal.any([signal, got.signal]),
      onWritten: (bytes) => {
        got.progressed();
        onBytes?.(desc, bytes);
      },
      // Reading the file back is no wait for the registry: its idle timeout ends here.
      onReceived: () => got.settle(),
      ...(onChecked === undefined ? {} : { onChecked }),
    });
  } catch (err) {
    const reported = got.settle(err);
    if (signal.aborted) {
      throw new AbortedError(`Copying ${desc.digest} was aborted`, { cause: signal.reason });
    }
    throw originError(reported, reported instanceof StorageError ? "destination" : "source", desc);
  }
  got.settle();
}
