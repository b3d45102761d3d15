import { assertRejectsCode } from "../_helpers/assert.ts";
import { within } from "../_helpers/deadline.ts";
import { TimeoutError } from "../../lib/errors.ts";
import { HttpClient } from "../../lib/registry/http_client.ts";
import { IdleWatch, watchResponseBody } from "../../lib/registry/_idle_watch.ts";

/** A body whose reads never end, whatever is aborted; `onCancel` hears of its cancel. */
function silentBody(onCancel: () => void = () => {}): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}), cancel: onCancel }, {
    highWaterMark: 0,
  });
}

Deno.test("a body read that the abort does not reach still ends with ERR_TIMEOUT", async () => {
  // The abort reaches nothing: as when the runtime lost the signal that links it to the body.
  const watch = new IdleWatch(50, () => {});
  const res = watchResponseBody(
    new Response(silentBody()),
    watch,
    () => new TimeoutError("no progress"),
  );
  await within(assertRejectsCode(() => res.arrayBuffer(), "ERR_TIMEOUT"), 5_000, "the timeout");
});

Deno.test("a wait for headers that the abort does not reach still ends with ERR_TIMEOUT", async () => {
  let late: ((res: Response) => void) | undefined;
  let cancelled: () => void = () => {};
  const lateCancel = new Promise<void>((resolve) => cancelled = resolve);
  const lateBody = silentBody(() => cancelled());
  const client = new HttpClient("registry.test", new URL("http://registry.test"), {
    // A fetch that ignores its signal and answers only after the timeout.
    fetch: () => new Promise<Response>((resolve) => late = resolve),
    timeoutMs: 50,
    retry: { maxRetries: 0 },
  });
  await within(
    assertRejectsCode(
      () =>
        client.send({
          method: "GET",
          url: new URL("http://registry.test/v2/"),
          scopes: [],
          idempotent: true,
        }),
      "ERR_TIMEOUT",
    ),
    5_000,
    "the timeout",
  );
  // The answer that comes after the timeout is not left unread.
  late!(new Response(lateBody));
  await within(lateCancel, 5_000, "the late body's cancel");
});
