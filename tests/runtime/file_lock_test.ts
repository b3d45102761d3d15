import { hostname } from "node:os";
import { nodeFs } from "../../lib/runtime/mod.ts";
import { STALE_AFTER_MS } from "../../lib/runtime/file_lock.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { withTempDir } from "../_helpers/e2e.ts";

function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir("ocisign-lock-", fn);
}

/** A pid that no process has: a child that already exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true", { stdout: "null", stderr: "null" }).spawn();
  await child.status;
  return child.pid;
}

Deno.test("nodeFs.lock() holds pid, host and time, and release() removes it", async () => {
  await withTemp(async (dir) => {
    const lock = await nodeFs.lock(`${dir}/.lock`);
    const owner = JSON.parse(await Deno.readTextFile(`${dir}/.lock`));
    assertEquals(owner.pid, Deno.pid);
    assertEquals(owner.hostname, hostname());
    assert.ok(Date.now() - Date.parse(owner.created) < 60_000);
    await lock.release();
    assertEquals((await Array.fromAsync(Deno.readDir(dir))).length, 0);
  });
});

Deno.test("nodeFs.lock() waits for a live holder, then fails naming the lock file and holder", async () => {
  await withTemp(async (dir) => {
    const held = await nodeFs.lock(`${dir}/.lock`);
    const err = await assertRejectsCode(
      () => nodeFs.lock(`${dir}/.lock`, { waitMs: 200 }),
      "ERR_LOCKED",
      `${dir}/.lock`,
    );
    assert.match(err.message, new RegExp(`process ${Deno.pid} on host "${hostname()}"`));
    assert.match(err.message, /remove/);
    // The holder's lock is untouched and still releases cleanly.
    await held.release();
    const again = await nodeFs.lock(`${dir}/.lock`, { waitMs: 200 });
    await again.release();
  });
});

Deno.test("nodeFs.lock() hands the lock over when the holder releases it", async () => {
  await withTemp(async (dir) => {
    const first = await nodeFs.lock(`${dir}/.lock`);
    const order: string[] = [];
    const second = nodeFs.lock(`${dir}/.lock`, { waitMs: 10_000 }).then((l) => {
      order.push("second");
      return l;
    });
    await new Promise((r) => setTimeout(r, 50));
    order.push("first released");
    await first.release();
    await (await second).release();
    assertEquals(order, ["first released", "second"]);
  });
});

Deno.test("nodeFs.lock() breaks a lock whose process is gone", async () => {
  await withTemp(async (dir) => {
    const stale = { pid: await deadPid(), hostname: hostname(), created: "x", nonce: "stale" };
    await Deno.writeTextFile(`${dir}/.lock`, JSON.stringify(stale));
    const lock = await nodeFs.lock(`${dir}/.lock`, { waitMs: 200 });
    assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/.lock`)).pid, Deno.pid);
    await lock.release();
  });
});

Deno.test("nodeFs.lock() breaks a lock not refreshed for longer than the stale bound", async () => {
  await withTemp(async (dir) => {
    // Held by a live process (this one) on another host: only its age can make it stale.
    const old = { pid: Deno.pid, hostname: "elsewhere", created: "x", nonce: "old" };
    await Deno.writeTextFile(`${dir}/.lock`, JSON.stringify(old));
    await assertRejectsCode(() => nodeFs.lock(`${dir}/.lock`, { waitMs: 100 }), "ERR_LOCKED");
    const past = new Date(Date.now() - STALE_AFTER_MS - 60_000);
    await Deno.utime(`${dir}/.lock`, past, past);
    const lock = await nodeFs.lock(`${dir}/.lock`, { waitMs: 200 });
    await lock.release();
  });
});

Deno.test("nodeFs.lock() release() fails when the lock was taken over meanwhile", async () => {
  await withTemp(async (dir) => {
    const lock = await nodeFs.lock(`${dir}/.lock`);
    await Deno.writeTextFile(`${dir}/.lock`, JSON.stringify({ pid: 1, nonce: "other" }));
    await assertRejectsCode(() => lock.release(), "ERR_LOCKED", "taken over");
  });
});

Deno.test("nodeFs.lock() quotes what a lock file says about its holder", async () => {
  await withTemp(async (dir) => {
    const forged = { pid: Deno.pid, hostname: "\x1b[2Jx\nSuccessfully signed", nonce: "n" };
    await Deno.writeTextFile(`${dir}/.lock`, JSON.stringify(forged));
    const err = await assertRejectsCode(
      () => nodeFs.lock(`${dir}/.lock`, { waitMs: 50 }),
      "ERR_LOCKED",
    );
    assert.ok(![...err.message].some((c) => c.charCodeAt(0) < 0x20), err.message);
  });
});
