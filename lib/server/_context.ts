/**
 * State shared by the route handlers and the checks every route starts with.
 *
 * @module
 */
import { concat } from "../_internal/bytes.ts";
import type { Bytes } from "../_internal/bytes.ts";
import { parseDigest } from "../digest/digest.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { apiError } from "./_api_error.ts";
import type { KeyedLock } from "../_internal/keyed_lock.ts";
import { REPOSITORY_REGEXP } from "../oci/reference_grammar.ts";
import { MAX_REPOSITORY_NAME_LENGTH } from "./_routes.ts";
import type { UploadSessions } from "./_upload_sessions.ts";
import type { RegistryRepository, RepositoryProvider } from "./repository.ts";

/** Limits after defaults are applied. */
export interface ResolvedLimits {
  maxManifestBytes: number;
  maxBlobBytes: number;
  maxUploadSessions: number;
  uploadIdleTimeoutMs: number;
}

/** Everything a route handler needs. */
export interface ServerContext {
  repositories: RepositoryProvider;
  sessions: UploadSessions;
  limits: ResolvedLimits;
  readOnly: boolean;
  /** Serialises manifest writes per repository and blob commits per digest. */
  locks: KeyedLock;
  /** Hashes uploads that need checking outside the store. */
  hasher: HasherFactory;
}

/** Rejects names outside the distribution-spec grammar with 400 NAME_INVALID. */
export function checkName(name: string): void {
  if (name.length > MAX_REPOSITORY_NAME_LENGTH || !REPOSITORY_REGEXP.test(name)) {
    throw apiError(
      400,
      "NAME_INVALID",
      `Invalid repository name ${
        JSON.stringify(name.slice(0, 300))
      }: use lower-case components like "org/app"`,
    );
  }
}

/**
 * Opens a repository.
 * @throws {RegistryError} 400 NAME_INVALID for a bad name, 404 NAME_UNKNOWN when it does not exist.
 */
export async function openRepository(
  ctx: ServerContext,
  name: string,
  create: boolean,
): Promise<RegistryRepository> {
  checkName(name);
  const repo = await ctx.repositories.get(name, { create });
  if (repo === undefined) {
    throw apiError(404, "NAME_UNKNOWN", `Repository ${name} is not known to this registry`);
  }
  return repo;
}

/** Refuses writes on a read-only registry with 405 UNSUPPORTED. */
export function checkWritable(ctx: ServerContext): void {
  if (ctx.readOnly) {
    throw apiError(
      405,
      "UNSUPPORTED",
      "This registry is read-only; it accepts no pushes or deletes",
    );
  }
}

/**
 * Parses a digest from a path or query parameter.
 * @throws {RegistryError} 400 DIGEST_INVALID when missing, malformed or of an unsupported algorithm.
 */
export function checkDigest(text: string | null | undefined): string {
  if (text === null || text === undefined || text === "") {
    throw apiError(
      400,
      "DIGEST_INVALID",
      "A digest is required (for example ?digest=sha256:<hex>)",
    );
  }
  try {
    parseDigest(text);
  } catch (err) {
    throw apiError(400, "DIGEST_INVALID", (err as Error).message);
  }
  return text;
}

/**
 * The declared `Content-Length`, or `undefined` when absent.
 * @throws {RegistryError} 400 SIZE_INVALID when it is not a non-negative integer.
 */
export function declaredLength(request: Request): number | undefined {
  const text = request.headers.get("content-length");
  if (text === null) return undefined;
  if (!/^\d{1,16}$/.test(text.trim())) {
    throw apiError(
      400,
      "SIZE_INVALID",
      `Invalid Content-Length ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  return Number(text.trim());
}

/**
 * Reads a request body into memory, refusing more than `max` bytes with 413 SIZE_INVALID (the
 * declared length is checked before anything is read).
 */
export async function readBodyBounded(request: Request, max: number, what: string): Promise<Bytes> {
  const declared = declaredLength(request);
  const tooLarge = (size: number) =>
    apiError(
      413,
      "SIZE_INVALID",
      `${what} is ${size} bytes or more, over the limit of ${max} bytes`,
    );
  if (declared !== undefined && declared > max) throw tooLarge(declared);
  if (request.body === null) return new Uint8Array(0) as Bytes;
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > max) throw tooLarge(total);
      parts.push(value);
    }
  } catch (err) {
    await reader.cancel().catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
  }
  return concat(parts);
}
