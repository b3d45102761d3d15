/**
 * Names of detached blob signature files, as notation 2 writes and reads them:
 * `<blob file name>.<jws|cose>.sig`; the format is the second-to-last dot-separated part.
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import type { EnvelopeFormat } from "../signature/envelope.ts";

/** The extension every blob signature file has. */
export const BLOB_SIGNATURE_EXTENSION = ".sig";

/** The last segment of a `/`-separated path. */
function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/**
 * The signature file name notation gives a blob: `<blob file name>.<format>.sig`.
 *
 * @example
 * ```ts
 * import { blobSignatureFileName } from "./blob_signature_file.ts";
 * console.log(blobSignatureFileName("dist/app.tar.gz", "cose")); // app.tar.gz.cose.sig
 * ```
 * @param blobPath The blob's path (only its file name is used).
 * @param format The envelope format.
 * @returns The signature file name.
 */
export function blobSignatureFileName(blobPath: string, format: EnvelopeFormat): string {
  return `${baseName(blobPath)}.${format}${BLOB_SIGNATURE_EXTENSION}`;
}

/**
 * Reads the envelope format from a signature file name as notation does: the name must end in
 * `.sig`, and the part before it (case-insensitive) must be `jws` or `cose`.
 *
 * @example
 * ```ts
 * import { signatureFormatOfFile } from "./blob_signature_file.ts";
 * console.log(signatureFormatOfFile("out/app.tar.gz.JWS.sig")); // jws
 * ```
 * @param signaturePath The signature file's path (only its file name is used).
 * @returns `jws` or `cose`.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when the name does not say a supported format
 * (notation's messages).
 */
export function signatureFormatOfFile(signaturePath: string): EnvelopeFormat {
  const name = baseName(signaturePath);
  if (!name.endsWith(BLOB_SIGNATURE_EXTENSION)) {
    throw new InvalidInputError(
      `invalid signature filename ${name}. The file extension must be .sig`,
    );
  }
  const parts = name.split(".");
  if (parts.length < 3) {
    throw new InvalidInputError(
      `invalid signature filename ${name}. A valid signature file name must contain signature format and .sig file extension`,
    );
  }
  const format = parts.at(-2)!.toLowerCase();
  if (format !== "jws" && format !== "cose") {
    throw new InvalidInputError(
      `signature format ${
        JSON.stringify(parts.at(-2))
      } not supported. Supported signature envelope formats are "jws" and "cose"`,
    );
  }
  return format;
}
