import bcrypt from "bcryptjs";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { htpasswdAuth, parseHtpasswd } from "../../lib/cli/serve/htpasswd.ts";
import type { HtpasswdAuthOptions } from "../../lib/cli/serve/htpasswd.ts";
import { startRegistry } from "./_fixture.ts";

const USERS = parseHtpasswd(`alice:${bcrypt.hashSync("wonderland", 4)}\n`);
const CLIENT = { remoteAddress: "127.0.0.1:40000" };

function basic(user: string, password: string): Request {
  return new Request("http://registry.test/v2/", {
    headers: { authorization: `Basic ${btoa(`${user}:${password}`)}` },
  });
}

/** The real bcrypt comparison, counted (and held back on demand). */
function countingCompare(): {
  calls: Array<{ hash: string }>;
  hold: Promise<void> | undefined;
  compare: NonNullable<HtpasswdAuthOptions["compare"]>;
} {
  const state = {
    calls: [] as Array<{ hash: string }>,
    hold: undefined as Promise<void> | undefined,
    compare: async (password: string, hash: string): Promise<boolean> => {
      state.calls.push({ hash });
      await state.hold;
      return await bcrypt.compare(password, hash);
    },
  };
  return state;
}

Deno.test("htpasswdAuth() runs bcrypt for an unknown user, against a hash of the same cost", async () => {
  const counted = countingCompare();
  const auth = htpasswdAuth(USERS, { compare: counted.compare });
  assertEquals(await auth(basic("mallory", "wonderland"), CLIENT), false);
  assertEquals(counted.calls.length, 1);
  assert(counted.calls[0]!.hash.startsWith("$2"), counted.calls[0]!.hash);
  assertEquals(counted.calls[0]!.hash.slice(0, 7), USERS.get("alice")!.slice(0, 7));
  assert(counted.calls[0]!.hash !== USERS.get("alice"));
  // No colon at all: the same work, the same answer.
  const noColon = new Request("http://registry.test/v2/", {
    headers: { authorization: `Basic ${btoa("mallory")}` },
  });
  assertEquals(await auth(noColon, CLIENT), false);
  assertEquals(counted.calls.length, 2);
});

Deno.test("htpasswdAuth() remembers a success (until its TTL) and never a failure", async () => {
  const counted = countingCompare();
  let clock = 1_000_000;
  const auth = htpasswdAuth(USERS, {
    compare: counted.compare,
    cacheTtlMs: 60_000,
    now: () => clock,
  });
  assertEquals(await auth(basic("alice", "wonderland"), CLIENT), true);
  assertEquals(await auth(basic("alice", "wonderland"), CLIENT), true);
  assertEquals(counted.calls.length, 1, "the second check comes from the cache");
  assertEquals(await auth(basic("alice", "looking-glass"), CLIENT), false);
  assertEquals(await auth(basic("alice", "looking-glass"), CLIENT), false);
  assertEquals(counted.calls.length, 3, "each wrong password costs a run");
  clock += 60_001;
  assertEquals(await auth(basic("alice", "wonderland"), CLIENT), true);
  assertEquals(counted.calls.length, 4, "an expired entry is checked again");
});

Deno.test("htpasswdAuth() keeps a bounded cache", async () => {
  const counted = countingCompare();
  const users = parseHtpasswd(
    ["a", "b", "c"].map((u) => `${u}:${bcrypt.hashSync(`pw-${u}`, 4)}`).join("\n"),
  );
  const auth = htpasswdAuth(users, { compare: counted.compare, cacheSize: 2 });
  for (const u of ["a", "b", "c"]) assertEquals(await auth(basic(u, `pw-${u}`), CLIENT), true);
  assertEquals(counted.calls.length, 3);
  await auth(basic("c", "pw-c"), CLIENT);
  assertEquals(counted.calls.length, 3, "c is remembered");
  await auth(basic("a", "pw-a"), CLIENT);
  assertEquals(counted.calls.length, 4, "a, the oldest, was forgotten");
});

Deno.test("registry with htpasswd answers 429 to a client with too many checks running, without bcrypt", async () => {
  const counted = countingCompare();
  let release!: () => void;
  counted.hold = new Promise((resolve) => release = resolve);
  const auth = htpasswdAuth(USERS, { compare: counted.compare, maxChecksPerClient: 2 });
  const reg = await startRegistry({ auth });
  try {
    const attacker = { remoteAddress: "192.0.2.7:1111" };
    const first = reg.handler(basic("alice", "guess-1"), attacker);
    const second = reg.handler(basic("alice", "guess-2"), { remoteAddress: "192.0.2.7:2222" });
    // Both checks must be running (held in bcrypt) before the third arrives, however slowly the
    // handler reaches the check on a loaded machine.
    for (let waited = 0; counted.calls.length < 2; waited += 5) {
      if (waited > 10_000) throw new Error(`only ${counted.calls.length} checks started`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const third = await reg.handler(basic("alice", "guess-3"), attacker);
    assertEquals(third.status, 429);
    assertEquals((await third.json()).errors[0].code, "TOOMANYREQUESTS");
    assertEquals(third.headers.get("retry-after"), "1");
    assertEquals(counted.calls.length, 2, "the refused check ran no bcrypt");
    // Another client is not held up by the attacker's limit.
    const other = reg.handler(basic("alice", "wonderland"), { remoteAddress: "198.51.100.1:5" });
    release();
    assertEquals([(await first).status, (await second).status, (await other).status], [
      401,
      401,
      200,
    ]);
    // Once the checks ended, the client may try again.
    assertEquals((await reg.handler(basic("alice", "guess-4"), attacker)).status, 401);
  } finally {
    await reg.close();
  }
});
