/**
 * The in-memory model of a layout's `index.json`: entries in file order, tags as
 * `org.opencontainers.image.ref.name`, every pushed manifest recorded (untagged unless tagged),
 * unknown top-level fields kept. The memory store keeps its tags and manifests in one too, so
 * every local store tags, untags and resolves alike.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { utf8 } from "../_internal/bytes.ts";
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import { validateDescriptor } from "./parse_manifest.ts";
import { InvalidLayoutError, InvalidManifestError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import {
  ANNOTATION_CONTAINERD_IMAGE_NAME,
  ANNOTATION_REF_NAME,
  isIndexMediaType,
  MEDIA_TYPE_OCI_INDEX,
} from "../oci/media_types.ts";

/** The tag of an entry, if any. */
export function refName(desc: Descriptor): string | undefined {
  return desc.annotations?.[ANNOTATION_REF_NAME];
}

function withoutRefName(desc: Descriptor): Descriptor {
  const copy: Descriptor = { ...desc };
  if (copy.annotations && ANNOTATION_REF_NAME in copy.annotations) {
    const { [ANNOTATION_REF_NAME]: _dropped, ...rest } = copy.annotations;
    if (Object.keys(rest).length > 0) copy.annotations = rest;
    else delete copy.annotations;
  }
  return copy;
}

/** One change to `index.json`, kept so it can be replayed on the file's current content. */
export type IndexChange =
  | { kind: "add"; desc: Descriptor }
  | { kind: "tag"; desc: Descriptor; tag: string }
  | { kind: "untag"; tag: string }
  | { kind: "remove"; digest: string };

function ambiguity(where: string, key: string, tag: string, named: Descriptor[]): void {
  const digests = [...new Set(named.map((e) => e.digest))];
  if (digests.length < 2) return;
  throw new InvalidLayoutError(
    `${where}: tag ${JSON.stringify(tag)} is ambiguous: index.json has ${named.length} entries ` +
      `with ${key} ${JSON.stringify(tag)} and different digests (${digests.join(", ")}); ` +
      `remove all but one of them from index.json, or name the image by digest`,
    { details: { tag, digests } },
  );
}

/** A layout's `index.json`, parsed and editable. */
export class LayoutIndex {
  #doc: Record<string, unknown>;
  #entries: Descriptor[];

  private constructor(doc: Record<string, unknown>, entries: Descriptor[]) {
    this.#doc = doc;
    this.#entries = entries;
  }

  /** An empty index. */
  static empty(): LayoutIndex {
    return new LayoutIndex({ schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX }, []);
  }

  /**
   * Parses and validates `index.json`.
   * @throws {InvalidLayoutError} ERR_INVALID_LAYOUT when malformed or over 4 MiB.
   */
  static parse(raw: Uint8Array, where: string): LayoutIndex {
    if (raw.length > MAX_MANIFEST_BYTES) {
      throw new InvalidLayoutError(
        `${where}: index.json is ${raw.length} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit`,
      );
    }
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
    } catch (err) {
      throw new InvalidLayoutError(
        `${where}: index.json is not valid JSON; restore it from a backup`,
        {
          cause: err,
        },
      );
    }
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
      throw new InvalidLayoutError(`${where}: index.json is not a JSON object`);
    }
    const obj = doc as Record<string, unknown>;
    if (obj.schemaVersion !== 2) {
      throw new InvalidLayoutError(`${where}: index.json needs "schemaVersion": 2`);
    }
    if (
      obj.mediaType !== undefined &&
      (typeof obj.mediaType !== "string" || !isIndexMediaType(obj.mediaType))
    ) {
      throw new InvalidLayoutError(
        `${where}: index.json has mediaType ${JSON.stringify(obj.mediaType)}, not an image index`,
      );
    }
    if (!Array.isArray(obj.manifests)) {
      throw new InvalidLayoutError(`${where}: index.json needs a "manifests" array`);
    }
    let entries: Descriptor[];
    try {
      entries = obj.manifests.map((d, i) => ({
        ...validateDescriptor(d, `index.json manifests[${i}]`),
      }));
    } catch (err) {
      if (err instanceof InvalidManifestError) {
        throw new InvalidLayoutError(`${where}: ${err.message}`, { cause: err });
      }
      throw err;
    }
    return new LayoutIndex(obj, entries);
  }

  /** An independent copy. */
  clone(): LayoutIndex {
    return new LayoutIndex({ ...this.#doc }, this.entries());
  }

  /** Applies a recorded change; returns whether the index changed. */
  apply(change: IndexChange): boolean {
    switch (change.kind) {
      case "add":
        return this.addUntagged(change.desc);
      case "tag":
        this.setTag(change.desc, change.tag);
        return true;
      case "untag":
        return this.removeTag(change.tag);
      case "remove":
        return this.removeDigest(change.digest);
    }
  }

  /** Entries in file order (copies). */
  entries(): Descriptor[] {
    return this.#entries.map((d) => ({ ...d }));
  }

  /** Tags, sorted and unique. */
  tags(): string[] {
    const set = new Set<string>();
    for (const e of this.#entries) {
      const t = refName(e);
      if (t !== undefined) set.add(t);
    }
    return [...set].sort();
  }

  /**
   * The entry a tag names: the entry with that `ref.name`, else the entry whose
   * `io.containerd.image.name` equals the reference. Tools disagree on which of several entries
   * with one name counts (oras and ocisign took the last, skopeo the first, umoci refuses), so a
   * name given to different digests is refused.
   * @throws {InvalidLayoutError} ERR_INVALID_LAYOUT when the name is ambiguous.
   */
  findTag(tag: string, where: string): Descriptor | undefined {
    const tagged = this.#entries.filter((e) => refName(e) === tag);
    ambiguity(where, ANNOTATION_REF_NAME, tag, tagged);
    if (tagged.length > 0) return { ...tagged[tagged.length - 1]! };
    const named = this.#entries.filter((e) =>
      e.annotations?.[ANNOTATION_CONTAINERD_IMAGE_NAME] === tag
    );
    ambiguity(where, ANNOTATION_CONTAINERD_IMAGE_NAME, tag, named);
    return named.length > 0 ? { ...named[0]! } : undefined;
  }

  /** The first entry with this digest. */
  findDigest(digest: string): Descriptor | undefined {
    const e = this.#entries.find((d) => d.digest === digest);
    return e ? { ...e } : undefined;
  }

  /** Records a pushed manifest as an untagged entry unless an entry with its digest exists. */
  addUntagged(desc: Descriptor): boolean {
    if (this.#entries.some((e) => e.digest === desc.digest)) return false;
    this.#entries.push(withoutRefName(desc));
    return true;
  }

  /**
   * Points `tag` at `desc`: the tag leaves any other entry (which stays, untagged, unless another
   * entry already records its digest), then an untagged entry of `desc` takes the tag or a new
   * entry is added.
   */
  setTag(desc: Descriptor, tag: string): void {
    const base = withoutRefName(desc);
    const entry: Descriptor = {
      ...base,
      annotations: { ...base.annotations, [ANNOTATION_REF_NAME]: tag },
    };
    const next: Descriptor[] = [];
    let placed = false;
    for (const e of this.#entries) {
      if (refName(e) !== tag) {
        next.push(e);
      } else if (!placed && e.digest === desc.digest) {
        next.push(entry);
        placed = true;
      } else if (!this.#entries.some((o) => o !== e && o.digest === e.digest)) {
        next.push(withoutRefName(e));
      }
    }
    if (!placed) {
      const slot = next.findIndex((e) => e.digest === desc.digest && refName(e) === undefined);
      if (slot >= 0) next[slot] = entry;
      else next.push(entry);
    }
    this.#entries = next;
  }

  /**
   * Removes `tag`: its entry stays as an untagged entry unless another entry already records the
   * same digest. Returns whether the tag existed.
   */
  removeTag(tag: string): boolean {
    const e = this.#entries.find((d) => refName(d) === tag);
    if (e === undefined) return false;
    const kept = this.#entries.some((o) => o !== e && o.digest === e.digest);
    this.#entries = this.#entries.flatMap((d) => (d !== e ? [d] : kept ? [] : [withoutRefName(d)]));
    return true;
  }

  /** Drops every entry with this digest; returns whether any was dropped. */
  removeDigest(digest: string): boolean {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((e) => e.digest !== digest);
    return this.#entries.length !== before;
  }

  /** Serialises to compact JSON, keeping unknown top-level fields. */
  serialize(): Bytes {
    const doc: Record<string, unknown> = { ...this.#doc };
    doc.schemaVersion = 2;
    doc.mediaType ??= MEDIA_TYPE_OCI_INDEX;
    doc.manifests = this.#entries;
    const ordered: Record<string, unknown> = {
      schemaVersion: doc.schemaVersion,
      mediaType: doc.mediaType,
    };
    for (const [k, v] of Object.entries(doc)) if (!(k in ordered)) ordered[k] = v;
    return utf8(JSON.stringify(ordered));
  }
}
