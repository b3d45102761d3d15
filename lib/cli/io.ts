/**
 * What a command receives from the outside world. `cli.ts` builds the real one from
 * `lib/runtime/`; tests build one over temp dirs and capture the output.
 *
 * @module
 */
import type { Fs } from "../content/fs.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import type { CredentialHelperRunner } from "../registry/credentials.ts";
import type { RetryOptions } from "../registry/http_client.ts";

/** The environment of one CLI run. */
export interface CliIo {
  /** Writes to standard output (results). */
  stdout(text: string): void;
  /** Writes to standard error (progress, warnings, errors). */
  stderr(text: string): void;
  /** Reads an environment variable. */
  env(name: string): string | undefined;
  /** The working directory, for relative paths. */
  cwd: string;
  /** The user's home directory. */
  home: string;
  /** File system. */
  fs: Fs;
  /** Fast incremental hashing. */
  hasher: HasherFactory;
  /** Whether stderr is a terminal (progress is shown only then). */
  isTty: boolean;
  /** The width of the terminal on stderr, in columns (progress rows are cut to it). */
  columns?(): number | undefined;
  /** Whether stdout is a terminal (colour in help); unknown counts as not. */
  stdoutTty?: boolean;
  /** `-v/--verbose`: commands say what they do on stderr (set by `main`). */
  verbose?: boolean;
  /**
   * Asks a question on the terminal and reads one line (`secret`: without echo); undefined when
   * stdin or stderr is not a terminal.
   */
  prompt?(question: string, secret: boolean): Promise<string | undefined>;
  /** Reads all of standard input as text (`--password-stdin`); later calls get the same text. */
  readStdin(): Promise<string>;
  /** Standard input as bytes (`--oci-layout -`); absent where there is none. */
  stdinStream?(): ReadableStream<Uint8Array>;
  /** Standard output as bytes (`--to-oci-layout -`); absent where there is none. */
  stdoutStream?(): WritableStream<Uint8Array>;
  /** HTTP client for registries. */
  fetch: typeof fetch;
  /** An HTTP client that trusts extra CA certificates (PEM), or (`insecure`) any certificate. */
  tlsFetch(options: { caCerts?: string[]; insecure?: boolean }): typeof fetch;
  /** The current time. */
  now(): Date;
  /**
   * How registry requests are retried (default: the `HttpClient` policy, 5 retries backing off
   * from 250 ms); tests shorten the waits, as they inject the clock.
   */
  registryRetry?: RetryOptions;
  /** Runs `docker-credential-*` helpers. */
  credentialHelper: CredentialHelperRunner;
  /** The host platform in OCI terms (`linux/amd64`), the default for builds. */
  hostPlatform: string;
  /** Cancelled on SIGINT. */
  signal: AbortSignal;
}
