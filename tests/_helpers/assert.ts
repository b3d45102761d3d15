/**
 * Assertions for tests (JSR's @std/assert cannot be installed here, so the tests use Node's
 * strict assert, which Deno and Bun both provide), plus `assertRejectsCode` for typed errors.
 *
 * @module
 */
import assert from "node:assert/strict";
import { OcisignError } from "../../lib/errors.ts";
import type { ErrorCode } from "../../lib/errors.ts";

export { assert };

/** Asserts deep equality. */
export function assertEquals<T>(actual: unknown, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

/** Asserts that `fn` rejects with an {@linkcode OcisignError} of `code`, optionally with a message part. */
export async function assertRejectsCode(
  fn: () => Promise<unknown>,
  code: ErrorCode,
  messageIncludes?: string,
): Promise<OcisignError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  if (!(caught instanceof OcisignError)) {
    throw new assert.AssertionError({
      message: `expected an OcisignError ${code}, got ${
        caught === undefined ? "no error" : String(caught)
      }`,
    });
  }
  assert.equal(caught.code, code, `expected ${code}, got ${caught.code}: ${caught.message}`);
  if (messageIncludes !== undefined) {
    assert.ok(
      caught.message.includes(messageIncludes),
      `expected message to include ${JSON.stringify(messageIncludes)}, got ${
        JSON.stringify(caught.message)
      }`,
    );
  }
  return caught;
}

/** Asserts that `fn` throws synchronously with an {@linkcode OcisignError} of `code`. */
export function assertThrowsCode(
  fn: () => unknown,
  code: ErrorCode,
  messageIncludes?: string,
): OcisignError {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof OcisignError)) throw err;
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    if (messageIncludes !== undefined) {
      assert.ok(err.message.includes(messageIncludes), err.message);
    }
    return err;
  }
  throw new assert.AssertionError({ message: `expected ${code}, got no error` });
}
