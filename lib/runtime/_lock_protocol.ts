/**
 * A lock file shared between processes (and hosts, over a network file system): the owner's
 * record is written to a private file, then hard-linked to the lock path, which fails when the
 * lock exists, so a lock file is never seen half-written. The holder refreshes its time while it
 * holds the lock; a lock whose process is gone (same host) or that was not refreshed for
 * {@linkcode STALE_AFTER_MS} is broken, one breaker at a time. The file operations come from the
 * runtime ({@linkcode LockOps}): `node:fs` in file_lock.ts, `Deno` in _deno_lock_ops.ts.
 *
 * @module
 */
import type { FileLock, LockOptions } from "../content/fs.ts";
import { AbortedError, LockedError } from "../errors.ts";

/** A lock not refreshed for this long is stale, whoever holds it. */
export const STALE_AFTER_MS: number = 5 * 60_000;
/** How often a holder refreshes its lock's time. */
const REFRESH_MS = 20_000;
/** A breaker's guard file older than this was left by a breaker that died. */
const GUARD_STALE_MS = 30_000;
/** Default longest wait for another holder. */
const DEFAULT_WAIT_MS = 120_000;

/** The file and process operations a lock needs, from the runtime. */
export interface LockOps {
  /** This process's id. */
  readonly pid: number;
  /** This host's name. */
  hostname(): string;
  /** Creates `path` (mode `0o644`) holding `text`; fails with `EEXIST` when it exists. */
  createNew(path: string, text: string): Promise<void>;
  /** Hard-links `existing` as `path`; fails with `EEXIST` when `path` exists. */
  link(existing: string, path: string): Promise<void>;
  /** Removes a file; no error when it is missing. */
  remove(path: string): Promise<void>;
  /** A file's text and modification time (ms); fails with `ENOENT` when it is missing. */
  read(path: string): Promise<{ text: string; mtimeMs: number }>;
  /** Sets a file's times to now (best effort). */
  touch(path: string): Promise<void>;
  /** Calls `fn` every `ms` without keeping the process alive; returns what stops it. */
  every(ms: number, fn: () => void): () => void;
}

/** What a lock file holds. */
interface Owner {
  pid: number;
  hostname: string;
  created: string;
  nonce: string;
}

function errno(err: unknown): string | undefined {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : null;
  return typeof code === "string" ? code : undefined;
}

function nonce(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16)).join("");
}

/** Creates `path` holding `owner` if it does not exist; false when it does. */
async function createExclusive(ops: LockOps, path: string, owner: Owner): Promise<boolean> {
  const tmp = `${path}.${owner.nonce}`;
  await ops.createNew(tmp, JSON.stringify(owner) + "\n");
  try {
    await ops.link(tmp, path);
    return true;
  } catch (err) {
    if (errno(err) === "EEXIST") return false;
    throw err;
  } finally {
    await ops.remove(tmp);
  }
}

/** The lock's owner and age; `undefined` when the file is gone. */
async function readOwner(
  ops: LockOps,
  path: string,
): Promise<{ owner: Partial<Owner>; ageMs: number } | undefined> {
  try {
    const { text, mtimeMs } = await ops.read(path);
    let owner: Partial<Owner> = {};
    try {
      const parsed = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null) owner = parsed;
    } catch {
      // Not ours: it goes stale by age only.
    }
    return { owner, ageMs: Date.now() - mtimeMs };
  } catch (err) {
    if (errno(err) === "ENOENT") return undefined;
    throw err;
  }
}

function processIsGone(pid: unknown): boolean {
  if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    // Deno has no signal 0; its Node `process` (set up on first use) has. Asked only when a lock
    // is held by this host.
    (globalThis as unknown as { process: { kill(pid: number, signal: number): void } }).process
      .kill(pid, 0);
    return false;
  } catch (err) {
    return errno(err) === "ESRCH";
  }
}

function isStale(found: { owner: Partial<Owner>; ageMs: number }, host: string): boolean {
  if (found.ageMs > STALE_AFTER_MS) return true;
  return found.owner.hostname === host && processIsGone(found.owner.pid);
}

/** Removes the stale lock `path` unless it changed since it was judged stale. */
async function breakStale(
  ops: LockOps,
  path: string,
  staleNonce: unknown,
  host: string,
): Promise<void> {
  const guard = `${path}.break`;
  const me: Owner = {
    pid: ops.pid,
    hostname: host,
    created: new Date().toISOString(),
    nonce: nonce(),
  };
  if (!(await createExclusive(ops, guard, me))) {
    const other = await readOwner(ops, guard);
    if (other && other.ageMs > GUARD_STALE_MS) await ops.remove(guard);
    return;
  }
  try {
    const again = await readOwner(ops, path);
    if (again && again.owner.nonce === staleNonce) await ops.remove(path);
  } finally {
    await ops.remove(guard);
  }
}

/** Who holds the lock, from the lock file: quoted (JSON escapes control characters), bounded. */
function describe(path: string, owner: Partial<Owner> | undefined): string {
  if (typeof owner?.pid !== "number") return `Lock file ${path} is held by another process`;
  const text = (v: unknown): string => JSON.stringify(String(v ?? "?").slice(0, 200));
  const since = owner.created ? ` since ${text(owner.created)}` : "";
  return `Lock file ${path} is held by process ${owner.pid} on host ${
    text(owner.hostname)
  }${since}`;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError("Waiting for a lock was aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Takes the lock file `path` with the runtime's operations `ops`, waiting for another holder up
 * to `opts.waitMs` (see file_lock.ts's `lockFile`).
 *
 * @example
 * ```ts ignore
 * const lock = await lockWith(denoLockOps, `${dir}/.lock`, {});
 * ```
 * @param ops The runtime's file and process operations.
 * @param path The lock file.
 * @param opts Longest wait and cancellation.
 * @returns The held lock.
 */
export async function lockWith(
  ops: LockOps,
  path: string,
  opts: LockOptions = {},
): Promise<FileLock> {
  const host = ops.hostname();
  const me: Owner = { pid: ops.pid, hostname: host, created: "", nonce: nonce() };
  const deadline = Date.now() + (opts.waitMs ?? DEFAULT_WAIT_MS);
  let pause = 10;
  for (;;) {
    opts.signal?.throwIfAborted();
    me.created = new Date().toISOString();
    if (await createExclusive(ops, path, me)) break;
    const found = await readOwner(ops, path);
    if (found === undefined) continue;
    if (isStale(found, host)) {
      await breakStale(ops, path, found.owner.nonce, host);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new LockedError(
        `${describe(path, found.owner)}. Wait for it to finish and try again; if that process ` +
          `is no longer running, remove ${path}`,
        { details: { lockFile: path, holder: found.owner } },
      );
    }
    await sleep(Math.min(pause, Math.max(1, deadline - Date.now())), opts.signal);
    pause = Math.min(pause * 2, 250);
  }
  // A held lock must not keep the process alive on its own (`every` does not).
  const stopRefresh = ops.every(REFRESH_MS, () => void ops.touch(path).catch(() => {}));
  return {
    path,
    async release(): Promise<void> {
      stopRefresh();
      const found = await readOwner(ops, path);
      if (found?.owner.nonce !== me.nonce) {
        throw new LockedError(
          `Lock file ${path} was taken over by another process while this one held it; what ` +
            `was written under it may be lost. Check the result and run again`,
          { details: { lockFile: path } },
        );
      }
      await ops.remove(path);
    },
  };
}
