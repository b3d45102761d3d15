/**
 * Child process of `worker_hasher_test.ts`, run under Deno: starts the hashing thread early
 * (`startHashThread()`, as before a pull), gives it no work, and must then end on its own. It
 * prints `started` when the thread's Web Worker is created and `stopped` when it is terminated.
 */
import { startHashThread } from "../../lib/runtime/worker_hasher.ts";

const Base = globalThis.Worker;
globalThis.Worker = class extends Base {
  constructor(url: string | URL, options?: WorkerOptions) {
    super(url, options);
    console.log("started");
  }
  override terminate(): void {
    console.log("stopped");
    super.terminate();
  }
};

startHashThread();
