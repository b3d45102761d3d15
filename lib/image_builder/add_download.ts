/**
 * `ADD <http(s) URL>`: the download is streamed through the injected `fetch` into the build's
 * {@linkcode ContentSpool} (a temporary file next to the output), hashed on the way to check
 * `--checksum`, and bounded in size, in time between chunks, in total time, and by a minimum rate
 * (so that a server sending one byte every few seconds cannot keep a build alive forever).
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat } from "../_internal/bytes.ts";
import { parseDigest } from "../digest/digest.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import type { BuildError } from "../errors.ts";
import { AbortedError, DigestMismatchError, OcisignError, TimeoutError } from "../errors.ts";
import { DockerfileLineError } from "../dockerfile/line_error.ts";
import type { ContentSpool } from "./content_spool.ts";
import type { ContentSource, TreeNode } from "./file_tree.ts";

/** Largest download ADD accepts (8 GiB). */
export const MAX_ADD_URL_BYTES = 8 * 1024 * 1024 * 1024;

/** How long a download may go without receiving data before it fails (60 s). */
export const ADD_URL_IDLE_TIMEOUT_MS = 60_000;

/** How long a whole download may take, headers to last byte (10 min). */
export const ADD_URL_DEADLINE_MS = 600_000;

/** The slowest download ADD accepts, averaged over each {@linkcode ADD_URL_RATE_WINDOW_MS} (1 KiB/s). */
export const ADD_URL_MIN_BYTES_PER_SECOND = 1024;

/** The window over which the download rate is measured (30 s). */
export const ADD_URL_RATE_WINDOW_MS = 30_000;

/** Time limits of an ADD download (each has a default). */
export interface DownloadLimits {
  /** Time without data after which the download fails (default {@linkcode ADD_URL_IDLE_TIMEOUT_MS}). */
  idleTimeoutMs?: number;
  /** Time the whole download may take (default {@linkcode ADD_URL_DEADLINE_MS}). */
  deadlineMs?: number;
  /** Slowest accepted rate over each window (default {@linkcode ADD_URL_MIN_BYTES_PER_SECOND}). */
  minBytesPerSecond?: number;
  /** Window of the rate check (default {@linkcode ADD_URL_RATE_WINDOW_MS}). */
  rateWindowMs?: number;
}

/** Options for {@linkcode downloadUrl}. */
export interface DownloadUrlOptions extends DownloadLimits {
  /** The fetch function (without it, ADD of a URL fails). */
  fetch?: typeof fetch;
  /** `--checksum`: the digest the content must have. */
  checksum?: string;
  /** Dockerfile line, for errors. */
  line: number;
  /** Where the content is kept until the layer is written (the caller disposes of it). */
  spool: ContentSpool;
  /** Hashes the content for `checksum`. */
  hasher: HasherFactory;
  /** Cancellation. */
  signal?: AbortSignal;
}

function fileName(url: string, line: number): string {
  const name = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
  if (name === "" || name === "." || name === "..") {
    throw new DockerfileLineError(
      line,
      `cannot tell a file name from ${url}; give the destination a file name`,
    );
  }
  return name;
}

async function keepInMemory(
  body: ReadableStream<Uint8Array>,
  spool: ContentSpool,
  tooLarge: () => BuildError,
): Promise<ContentSource> {
  const parts: Uint8Array[] = [];
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!spool.reserve(value.length)) throw tooLarge();
      parts.push(value);
    }
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    throw err;
  }
  const bytes: Bytes = concat(parts);
  return { kind: "bytes", bytes };
}

/**
 * Downloads an ADD URL with the injected `fetch` into the spool, checking `--checksum` as the
 * bytes stream by.
 *
 * @example
 * ```ts ignore
 * const node = await downloadUrl("https://example.com/a.txt", { fetch, line: 4, spool, hasher });
 * ```
 * @param url The URL.
 * @param opts The fetch function, expected digest, spool, hasher, line and cancellation.
 * @returns A file node named after the URL's last path segment (mode 0600, as Docker does).
 * @throws {BuildError} ERR_BUILD when no fetch is available, the URL is a git source, or the
 * download fails, stalls, breaks off or is too large.
 * @throws {TimeoutError} ERR_TIMEOUT when it takes longer than its deadline or is slower than the
 * minimum rate.
 * @throws {DigestMismatchError} ERR_DIGEST_MISMATCH when the checksum does not match.
 * @throws {AbortedError} ERR_ABORTED when `signal` fires.
 */
export async function downloadUrl(url: string, opts: DownloadUrlOptions): Promise<TreeNode> {
  const where = `Dockerfile line ${opts.line}`;
  if (!/^https?:\/\//i.test(url)) {
    throw new DockerfileLineError(
      opts.line,
      `ADD of git sources is not supported; clone the repository into the context`,
    );
  }
  if (opts.fetch === undefined) {
    throw new DockerfileLineError(
      opts.line,
      `ADD ${url} needs network access, which this build does not have`,
    );
  }
  const name = fileName(url, opts.line);
  const expected = opts.checksum === undefined ? undefined : parseDigest(opts.checksum);
  const idleMs = opts.idleTimeoutMs ?? ADD_URL_IDLE_TIMEOUT_MS;
  const deadlineMs = opts.deadlineMs ?? ADD_URL_DEADLINE_MS;
  const minRate = opts.minBytesPerSecond ?? ADD_URL_MIN_BYTES_PER_SECOND;
  const windowMs = opts.rateWindowMs ?? ADD_URL_RATE_WINDOW_MS;
  const limits = new AbortController();
  let limitError: OcisignError | undefined;
  const stop = (error: OcisignError): void => {
    limitError ??= error;
    limits.abort(error);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;
  const touch = (): void => {
    clearTimeout(timer);
    if (!finished) {
      timer = setTimeout(
        () =>
          stop(
            new DockerfileLineError(
              opts.line,
              `the download of ${url} stalled (no data for ${idleMs / 1000} s); try again`,
            ),
          ),
        idleMs,
      );
    }
  };
  const deadline = setTimeout(() =>
    stop(
      new TimeoutError(
        `${where}: the download of ${url} did not finish within ${
          deadlineMs / 1000
        } s; download it into the build context, or allow more time`,
      ),
    ), deadlineMs);
  let total = 0;
  let windowStart = 0;
  const rateCheck = setInterval(() => {
    const got = total - windowStart;
    windowStart = total;
    if (got * 1000 < minRate * windowMs) {
      stop(
        new TimeoutError(
          `${where}: the download of ${url} is too slow (${got} bytes in the last ${
            windowMs / 1000
          } s, at least ${minRate} bytes/s are required); try again or download it into the build context`,
        ),
      );
    }
  }, windowMs);
  const signal = opts.signal === undefined
    ? limits.signal
    : AbortSignal.any([opts.signal, limits.signal]);
  try {
    touch();
    const response = await opts.fetch(url, { signal });
    if (!response.ok || response.body === null) {
      await response.body?.cancel().catch(() => {});
      throw new DockerfileLineError(opts.line, `cannot download ${url}: HTTP ${response.status}`);
    }
    const header = response.headers.get("content-length");
    const declared = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
    const tooLarge = (): BuildError =>
      new DockerfileLineError(opts.line, `${url} is larger than ${MAX_ADD_URL_BYTES} bytes`);
    if (declared !== undefined && declared > MAX_ADD_URL_BYTES) {
      await response.body.cancel().catch(() => {});
      throw tooLarge();
    }
    const hash = expected === undefined ? undefined : opts.hasher(expected.algorithm);
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller): void {
          touch();
          total += chunk.length;
          if (total > MAX_ADD_URL_BYTES) throw tooLarge();
          hash?.update(chunk);
          controller.enqueue(chunk);
        },
      }),
    );
    const content = opts.spool.onDisk
      ? (await opts.spool.write((sink) => sink.add(counted))).content
      : await keepInMemory(
        counted,
        opts.spool,
        () =>
          new DockerfileLineError(
            opts.line,
            `${url} is too large to keep in memory; give the build a spool directory (spoolDir)`,
          ),
      );
    if (declared !== undefined && total !== declared) {
      throw new DockerfileLineError(
        opts.line,
        `the download of ${url} broke off after ${total} of ${declared} bytes; try again`,
      );
    }
    if (expected !== undefined) {
      const actual = `${expected.algorithm}:${hash!.digestHex()}`;
      if (actual !== opts.checksum) {
        throw new DigestMismatchError(opts.checksum!, actual, {
          details: { line: opts.line, url },
        });
      }
    }
    return { path: name, type: "file", mode: 0o600, uid: 0, gid: 0, size: total, content };
  } catch (err) {
    if (opts.signal?.aborted) {
      throw new AbortedError("The build was aborted", { cause: opts.signal.reason });
    }
    if (limitError !== undefined) throw limitError;
    if (err instanceof OcisignError) throw err;
    throw new DockerfileLineError(
      opts.line,
      `cannot download ${url}: ${(err as Error)?.message ?? String(err)}`,
      { cause: err },
    );
  } finally {
    finished = true;
    clearTimeout(timer);
    clearTimeout(deadline);
    clearInterval(rateCheck);
  }
}
