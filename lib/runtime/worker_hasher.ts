/**
 * Hashing on worker threads: {@linkcode offThreadHasher} makes {@linkcode OffThreadHasher}s
 * backed by `node:crypto` in a small pool of workers (Web Workers under Deno, `node:worker_threads`
 * under Bun and Node), so that the main thread of a copy or a server only moves bytes while
 * another core hashes them. Each hasher lends a few fixed buffers that travel to its worker and
 * back (transferred, never copied).
 *
 * A worker keeps the process alive only while a reply is due, so an idle pool never delays exit
 * by more than 100 ms (1 s for a thread started early that never got work): a Web Worker, which
 * cannot be `unref()`ed, is stopped once it has had no open hasher for that long (the next hasher
 * starts a new one).
 * When a worker fails, every hasher on it fails (its digest promise rejects): content is never
 * taken as verified without a digest.
 *
 * @module
 */
import type { Worker as NodeWorker } from "node:worker_threads";
import type { DigestAlgorithm } from "../digest/digest.ts";
import type { OffThreadHasher } from "../digest/hasher.ts";
import type { HashReply, HashRequest } from "./_hash_protocol.ts";

/** Size of each lent buffer: each message costs about as much as hashing 64 KiB, so few, large. */
const BUFFER_BYTES = 1024 * 1024;
/** Buffers one hasher lends at once: enough to keep its worker busy while the caller fills one. */
const BUFFERS_PER_HASHER = 3;

/** Set by `scripts/bun_compile.ts`: the worker entry's path inside the compiled binary. */
declare const OCISIGN_HASH_WORKER: string | undefined;

/**
 * Under Deno the hashing thread is a Web Worker: `new Worker` of `node:worker_threads` blocks the
 * main thread for about 30 ms there (and its first use of `process` 12 ms more), a Web Worker for
 * 11-23 ms. Bun and Node use `node:worker_threads`.
 */
const WEB_WORKER = typeof (globalThis as { Deno?: unknown }).Deno === "object" &&
  typeof globalThis.Worker === "function";

/**
 * The worker's module: in a binary from `scripts/bun_compile.ts`, the entry compiled in beside
 * `cli.ts`. Under Deno the Web Worker's module is loaded from where this one was, a local file or
 * the URL of `deno run https://...` alike (see {@linkcode REMOTE_ENTRY}); a `node:worker_threads`
 * Worker starts only local files, so elsewhere a remote module has none, and hashing stays on the
 * caller's thread.
 */
const WORKER_ENTRY: URL | string | undefined = typeof OCISIGN_HASH_WORKER === "string"
  ? OCISIGN_HASH_WORKER
  : WEB_WORKER
  ? new URL("./_hash_web_worker.ts", import.meta.url)
  : !import.meta.url.startsWith("file:")
  ? undefined
  : new URL("./_hash_worker.ts", import.meta.url);

/**
 * Whether the worker's module is remote (`deno run https://...`): it is not in the module graph
 * that `deno cache` fetches, so a run offline, or from a host that lost the file, cannot load it.
 * Such a worker is first tried on an empty hash ({@linkcode probeRemoteWorker}); until it has
 * answered, and for good when it failed, callers hash on their own thread.
 */
const REMOTE_ENTRY = WORKER_ENTRY instanceof URL && WORKER_ENTRY.protocol !== "file:";

/**
 * How long an idle Web Worker (no hasher open, no reply due) is kept for the next blob before it
 * is stopped: a Web Worker cannot be `unref()`ed, so a running one keeps the process alive.
 */
const WEB_WORKER_IDLE_MS = 100;
/**
 * How long a Web Worker started early ({@linkcode startHashThread}) is kept for its first hasher:
 * a `cp` from a local registry opens both ends and fetches the manifest in about 100 ms, and a
 * slower start makes the thread's own start (under 10 ms of this thread) matter little.
 */
const WEB_WORKER_UNUSED_MS = 1000;

interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

/** A started hashing thread, of either kind: what the pool needs of it. */
interface HashThread {
  post(msg: HashRequest, transfer: ArrayBuffer[]): void;
  /** Lets the process end while this thread idles (`false`), or not (`true`). */
  hold(held: boolean): void;
  /** Set when `hold(false)` cannot let the process end: then the pool stops it once idle. */
  readonly stop?: () => void;
}

/** Starts a hashing thread that reports to `onMessage`, and to `onFail` when it fails or ends. */
function startThread(
  onMessage: (msg: HashReply) => void,
  onFail: (err: Error) => void,
): HashThread {
  if (WEB_WORKER) {
    const worker = new globalThis.Worker(WORKER_ENTRY!, { type: "module" });
    worker.onmessage = (event: MessageEvent<HashReply>) => onMessage(event.data);
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      onFail(new Error(`The hashing thread failed: ${event.message}`));
    };
    worker.onmessageerror = () =>
      onFail(new Error("The hashing thread sent an unreadable message"));
    return {
      post: (msg, transfer) => worker.postMessage(msg, transfer),
      hold: () => {},
      stop: () => worker.terminate(),
    };
  }
  // Loaded on first use: under Bun, node:worker_threads costs 1-2 ms of every start.
  const threads = nodeProcess().getBuiltinModule("node:worker_threads");
  const worker: NodeWorker = new threads.Worker(WORKER_ENTRY!);
  worker.unref();
  worker.on("message", onMessage);
  worker.on("error", onFail);
  worker.on(
    "exit",
    (code: number) => onFail(new Error(`The hashing thread stopped (exit code ${code})`)),
  );
  return {
    post: (msg, transfer) => worker.postMessage(msg, transfer),
    hold: (held) => held ? worker.ref() : worker.unref(),
  };
}

class PoolWorker {
  readonly hashers = new Map<number, { receive(msg: HashReply): void; fail(err: Error): void }>();
  readonly #thread: HashThread;
  #awaited = 0;
  #dead: Error | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #onDead: (w: PoolWorker) => void;

  constructor(onDead: (w: PoolWorker) => void) {
    this.#onDead = onDead;
    this.#thread = startThread((msg) => {
      if (msg.op !== "read" && --this.#awaited === 0) this.#thread.hold(false);
      this.hashers.get(msg.id)?.receive(msg);
      this.#whenIdle();
    }, (err) => this.#fail(err));
    // Started early (startHashThread) and never given work, it is idle from the start.
    this.#whenIdle(WEB_WORKER_UNUSED_MS);
  }

  get dead(): boolean {
    return this.#dead !== undefined;
  }

  /** Sends `msg`; while a reply is due, the worker keeps the process alive. */
  send(msg: HashRequest, expectsReply: boolean, transfer: ArrayBuffer[] = []): void {
    if (this.#dead !== undefined) throw this.#dead;
    if (expectsReply && this.#awaited++ === 0) this.#thread.hold(true);
    this.#thread.post(msg, transfer);
  }

  /** Forgets hasher `id` (done, failed or aborted). */
  release(id: number): void {
    this.hashers.delete(id);
    this.#whenIdle();
  }

  /**
   * A thread that cannot let the process end is stopped once it has been idle for a while: this
   * (re)starts the wait each time it becomes idle, and the wait ends only if it still is.
   */
  #whenIdle(ms = WEB_WORKER_IDLE_MS): void {
    if (this.#thread.stop === undefined || this.#awaited > 0 || this.hashers.size > 0) return;
    if (this.#dead !== undefined) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#awaited > 0 || this.hashers.size > 0) return;
      this.#fail(new Error("The hashing thread was stopped while idle"));
    }, ms);
  }

  #fail(err: Error): void {
    if (this.#dead !== undefined) return;
    this.#dead = err;
    clearTimeout(this.#idleTimer);
    this.#thread.hold(false);
    this.#thread.stop?.();
    for (const hasher of this.hashers.values()) hasher.fail(err);
    this.hashers.clear();
    this.#onDead(this);
  }
}

class RemoteHasher implements OffThreadHasher {
  readonly #id: number;
  readonly #worker: PoolWorker;
  readonly #free: ArrayBuffer[] = [];
  #allocated = 0;
  readonly #waiters: Waiter<Uint8Array>[] = [];
  #digest: Waiter<string> | undefined;
  #error: Error | undefined;

  constructor(id: number, worker: PoolWorker, algorithm: DigestAlgorithm) {
    this.#id = id;
    this.#worker = worker;
    worker.hashers.set(id, this);
    worker.send({ op: "open", id, algorithm }, false);
  }

  buffer(): Promise<Uint8Array> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    const free = this.#free.pop();
    if (free !== undefined) return Promise.resolve(new Uint8Array(free));
    if (this.#allocated < BUFFERS_PER_HASHER) {
      this.#allocated++;
      return Promise.resolve(new Uint8Array(BUFFER_BYTES));
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  update(buffer: Uint8Array, length: number): void {
    if (this.#error !== undefined) throw this.#error;
    if (buffer.byteOffset !== 0 || buffer.buffer.byteLength !== BUFFER_BYTES) {
      throw new TypeError(
        "Cannot hash off the main thread: the buffer was not lent by this hasher",
      );
    }
    if (!Number.isSafeInteger(length) || length < 0 || length > BUFFER_BYTES) {
      throw new RangeError(`Cannot hash ${length} bytes of a ${BUFFER_BYTES}-byte buffer`);
    }
    const ab = buffer.buffer as ArrayBuffer;
    this.#worker.send({ op: "update", id: this.#id, buffer: ab, length }, true, [ab]);
  }

  digestHex(): Promise<string> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#digest = { resolve, reject };
      this.#worker.send({ op: "digest", id: this.#id }, true);
    });
  }

  abort(): void {
    if (this.#error !== undefined) return;
    this.fail(new Error("The hash was aborted"));
    if (!this.#worker.dead) this.#worker.send({ op: "abort", id: this.#id }, false);
  }

  receive(msg: HashReply): void {
    if (msg.op === "buffer") {
      const waiter = this.#waiters.shift();
      if (waiter !== undefined) waiter.resolve(new Uint8Array(msg.buffer));
      else this.#free.push(msg.buffer);
      return;
    }
    if (msg.op !== "digest") return;
    this.#worker.release(this.#id);
    this.#digest?.resolve(msg.hex);
  }

  fail(err: Error): void {
    if (this.#error !== undefined) return;
    this.#error = err;
    this.#worker.release(this.#id);
    for (const waiter of this.#waiters.splice(0)) waiter.reject(err);
    this.#digest?.reject(err);
  }
}

/** `process`, looked up when used: under Deno its first use sets Node compatibility up. */
function nodeProcess(): typeof import("node:process") {
  return (globalThis as unknown as { process: typeof import("node:process") }).process;
}

/** The cores this process may use (`os.availableParallelism()` in Deno, Bun and Node). */
const CORES = globalThis.navigator?.hardwareConcurrency ?? 2;

/**
 * Threads in the pool: `OCISIGN_HASH_THREADS` when set to 1 or more, else the cores but the main
 * thread's, at least one, at most four.
 */
function poolSize(): number {
  const n = threadSetting();
  return n !== undefined && n > 0 ? Math.min(n, 16) : Math.max(1, Math.min(4, CORES - 1));
}

/** `OCISIGN_HASH_THREADS` as a count, or undefined when unset or not a count. */
function threadSetting(): number | undefined {
  const text = envSetting("OCISIGN_HASH_THREADS");
  const n = text === undefined || text === "" ? NaN : Number(text);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Whether stream verification should hash on threads by default: `OCISIGN_HASH_THREADS` when set
 * (0: never), else only with more than two cores. On two cores, measured on pulls of 8 layers from
 * a local registry (`scripts/bench/README.md`), the thread only added messages and memory: the
 * other core was busy with the registry and the network already.
 *
 * @example
 * ```ts
 * import { hashThreadsByDefault } from "./worker_hasher.ts";
 * console.log(typeof hashThreadsByDefault()); // boolean
 * ```
 */
export function hashThreadsByDefault(): boolean {
  const n = threadSetting();
  return n !== undefined ? n > 0 : CORES > 2;
}

/** An environment variable, read only where permitted (under Deno, never a permission prompt). */
function envSetting(name: string): string | undefined {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  if (deno?.permissions.querySync?.({ name: "env", variable: name }).state === "prompt") {
    return undefined;
  }
  try {
    return deno !== undefined ? deno.env.get(name) : nodeProcess().env[name];
  } catch {
    return undefined;
  }
}

let poolThreads: number | undefined;

const pool: PoolWorker[] = [];
let nextId = 1;
let unavailable = false;

function pickWorker(): PoolWorker {
  let best: PoolWorker | undefined;
  for (const w of pool) if (best === undefined || w.hashers.size < best.hashers.size) best = w;
  if (best !== undefined && (best.hashers.size === 0 || pool.length >= poolThreads!)) return best;
  const fresh = new PoolWorker((dead) => {
    const at = pool.indexOf(dead);
    if (at >= 0) pool.splice(at, 1);
  });
  pool.push(fresh);
  return fresh;
}

/** "ready" once a remote worker module loaded and answered, "probing" meanwhile. */
let remoteState: "untried" | "probing" | "ready" = "untried";

/** Starts a remote worker and hashes nothing on it: only a worker that answers is used. */
function probeRemoteWorker(): void {
  remoteState = "probing";
  new RemoteHasher(nextId++, pickWorker(), "sha256").digestHex().then(
    () => remoteState = "ready",
    () => unavailable = true,
  );
}

/** A pool worker to use, or undefined when no worker thread can start here. */
function availableWorker(): PoolWorker | undefined {
  poolThreads ??= poolSize();
  if (unavailable || WORKER_ENTRY === undefined) return undefined;
  try {
    if (REMOTE_ENTRY && remoteState !== "ready") {
      if (remoteState === "untried") probeRemoteWorker();
      return undefined;
    }
    return pickWorker();
  } catch {
    unavailable = true;
    return undefined;
  }
}

/**
 * Makes a hasher that runs on a worker thread (`node:crypto` there), or undefined when no worker
 * thread can start here, or, run from an `https:` URL, until the worker's module has loaded (then
 * the caller hashes on its own thread).
 *
 * @example
 * ```ts
 * import { offThreadHasher } from "./worker_hasher.ts";
 * const h = offThreadHasher("sha256")!;
 * const buf = await h.buffer();
 * buf.set(new TextEncoder().encode("{}"));
 * h.update(buf, 2);
 * console.log(await h.digestHex()); // 44136fa3...
 * ```
 * @param algorithm sha256, sha384 or sha512.
 * @returns A fresh hasher, or undefined.
 */
export function offThreadHasher(algorithm: DigestAlgorithm): OffThreadHasher | undefined {
  const worker = availableWorker();
  return worker === undefined ? undefined : new RemoteHasher(nextId++, worker, algorithm);
}

/**
 * Starts a hashing thread now, if none runs and one can start (not with `OCISIGN_HASH_THREADS`
 * set to `0`), so that it is ready when the first blob of a pull arrives: a worker takes a few
 * tens of milliseconds to load its modules, on its own thread, while this one sends the first
 * requests. Left unused, it is stopped after a second (see the module's notes), so call it just
 * before the hashing, as the CLI's `cp` does.
 *
 * @example
 * ```ts ignore
 * import { startHashThread } from "./worker_hasher.ts";
 * startHashThread(); // before a pull into a layout directory
 * ```
 */
export function startHashThread(): void {
  if (threadSetting() === 0 || pool.length > 0) return;
  availableWorker();
}

/** What {@linkcode scanFileOffThread} found: the file's digest (empty when over-long) and size. */
export interface ScannedFile {
  hex: string;
  size: number;
}

/**
 * Follows the growing file at `path` on a worker thread, hashing it there, until `growing`
 * settled and every byte is read (or more than `maxBytes` were), whatever the number of cores:
 * this thread is busy already, writing the file (Bun's `Bun.write`) or receiving it (Deno's
 * fetch). Undefined when no worker thread can start here, or `OCISIGN_HASH_THREADS` is `0` (then
 * the caller scans on its own thread).
 *
 * @example
 * ```ts ignore
 * import { scanFileOffThread } from "./worker_hasher.ts";
 * // `written` settles when the runtime has written the whole body to `file`.
 * const r = await scanFileOffThread(file, "sha256", written, desc.size, (n) => console.log(n));
 * if (r !== undefined) console.log(r.hex, r.size);
 * ```
 */
export function scanFileOffThread(
  path: string,
  algorithm: DigestAlgorithm,
  growing: Promise<unknown>,
  maxBytes: number,
  onRead: (bytes: number) => void,
): Promise<ScannedFile> | undefined {
  if (threadSetting() === 0) return undefined;
  const worker = availableWorker();
  if (worker === undefined) return undefined;
  const id = nextId++;
  return new Promise<ScannedFile>((resolve, reject) => {
    worker.hashers.set(id, {
      receive(msg) {
        if (msg.op === "read") return onRead(msg.bytes);
        if (msg.op !== "scanned") return;
        worker.release(id);
        if (msg.error === undefined) return resolve({ hex: msg.hex, size: msg.size });
        reject(Object.assign(new Error(msg.error), { code: msg.code }));
      },
      fail: reject,
    });
    worker.send({ op: "scan", id, algorithm, path, maxBytes }, true);
    const settle = () => {
      if (!worker.dead) worker.send({ op: "settled", id }, false);
    };
    growing.then(settle, settle);
  });
}
