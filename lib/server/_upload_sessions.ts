/**
 * Blob upload sessions: bounded in number, dropped (with their scratch files) when idle too long,
 * and used by one request at a time.
 *
 * @module
 */
import { apiError } from "./_api_error.ts";
import type { RegistryRepository } from "./repository.ts";

/** An open upload session. */
export interface UploadSession {
  /** The session id used in the upload URL. */
  readonly id: string;
  /** The repository name the session belongs to. */
  readonly name: string;
  /** The repository the blob will land in. */
  readonly repository: RegistryRepository;
  /** Bytes received so far. */
  offset: number;
  /** Parts stored so far. */
  parts: number;
  /** sha256 digest of each stored part, computed as it was received. */
  partDigests: string[];
  /** When the session was last used (ms since the epoch). */
  lastActive: number;
  /** Whether a request is working on the session. */
  busy: boolean;
}

/** The upload `Range` header value for a session: `0-<last byte>` (`0-0` when empty). */
export function uploadRange(session: UploadSession): string {
  return `0-${Math.max(0, session.offset - 1)}`;
}

/** The upload session URL path. */
export function uploadLocation(session: UploadSession): string {
  return `/v2/${session.name}/blobs/uploads/${session.id}`;
}

/** Tracks open sessions; expired ones are swept whenever sessions are opened or looked up. */
export class UploadSessions {
  #sessions = new Map<string, UploadSession>();
  #max: number;
  #idleMs: number;
  #now: () => number;

  /**
   * @param max Most sessions open at once.
   * @param idleMs Idle time after which a session is dropped.
   * @param now The clock, in ms since the epoch.
   */
  constructor(max: number, idleMs: number, now: () => number = Date.now) {
    this.#max = max;
    this.#idleMs = idleMs;
    this.#now = now;
  }

  /**
   * Opens a session in `repository`.
   * @throws {RegistryError} 429 TOOMANYREQUESTS when the limit of open sessions is reached.
   */
  async open(name: string, repository: RegistryRepository): Promise<UploadSession> {
    await this.#sweep();
    if (this.#sessions.size >= this.#max) {
      throw apiError(
        429,
        "TOOMANYREQUESTS",
        `Too many upload sessions are open (limit ${this.#max}); finish or cancel one, then retry`,
        { "retry-after": "1" },
      );
    }
    const id = crypto.randomUUID();
    await repository.uploads.create(id);
    const session: UploadSession = {
      id,
      name,
      repository,
      offset: 0,
      parts: 0,
      partDigests: [],
      lastActive: this.#now(),
      busy: false,
    };
    this.#sessions.set(id, session);
    return session;
  }

  /**
   * Takes the session for one request; call {@linkcode release} or {@linkcode close} after.
   * @throws {RegistryError} 404 BLOB_UPLOAD_UNKNOWN when unknown, expired or of another repository.
   * @throws {RegistryError} 416 BLOB_UPLOAD_INVALID when another request is using it.
   */
  async acquire(name: string, id: string): Promise<UploadSession> {
    const session = await this.peek(name, id);
    if (session.busy) {
      throw apiError(
        416,
        "BLOB_UPLOAD_INVALID",
        "Another request is writing to this upload session; retry when it has finished",
        { location: uploadLocation(session), range: uploadRange(session) },
      );
    }
    session.busy = true;
    session.lastActive = this.#now();
    return session;
  }

  /** Looks at a session without taking it (for status requests). */
  async peek(name: string, id: string): Promise<UploadSession> {
    await this.#sweep();
    const session = this.#sessions.get(id);
    if (session === undefined || session.name !== name) {
      throw apiError(
        404,
        "BLOB_UPLOAD_UNKNOWN",
        `Upload session ${
          JSON.stringify(id)
        } is unknown or expired in repository ${name}; start a new upload`,
      );
    }
    return session;
  }

  /** Gives a session back after a request. */
  release(session: UploadSession): void {
    session.busy = false;
    session.lastActive = this.#now();
  }

  /** Ends a session and removes its scratch files. */
  async close(session: UploadSession): Promise<void> {
    this.#sessions.delete(session.id);
    await session.repository.uploads.remove(session.id);
  }

  /** Number of open sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  async #sweep(): Promise<void> {
    const deadline = this.#now() - this.#idleMs;
    const expired = [...this.#sessions.values()].filter((s) => !s.busy && s.lastActive < deadline);
    for (const s of expired) this.#sessions.delete(s.id);
    await Promise.all(expired.map((s) => s.repository.uploads.remove(s.id).catch(() => {})));
  }
}
