/**
 * Content descriptors, manifests and indexes of the OCI image spec 1.1.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/descriptor.md
 * @module
 */

/** A platform, as in an image index. */
export interface Platform {
  /** CPU architecture (`amd64`, `arm64`, ...), as Go's `GOARCH`. */
  architecture: string;
  /** Operating system (`linux`, `windows`, ...), as Go's `GOOS`. */
  os: string;
  /** Operating system version (Windows images). */
  "os.version"?: string;
  /** Required operating system features. */
  "os.features"?: string[];
  /** CPU variant (`v7`, `v8`, ...). */
  variant?: string;
}

/** An OCI content descriptor. */
export interface Descriptor {
  /** Media type of the referenced content. */
  mediaType: string;
  /** Digest of the content (`sha256:…`). */
  digest: string;
  /** Size of the content in bytes. */
  size: number;
  /** URLs the content may also be fetched from. */
  urls?: string[];
  /** Arbitrary metadata. */
  annotations?: Record<string, string>;
  /** The content itself, base64-encoded (embedded data). */
  data?: string;
  /** Platform of the manifest (in an index). */
  platform?: Platform;
  /** Artifact type of the referenced manifest. */
  artifactType?: string;
}

/** An image manifest (OCI, or Docker schema 2 with the same fields). */
export interface Manifest {
  /** Always 2. */
  schemaVersion: 2;
  /** Media type of the manifest. */
  mediaType?: string;
  /** Type of artifact, when the manifest is one. */
  artifactType?: string;
  /** The configuration blob. */
  config: Descriptor;
  /** The layers, in order. */
  layers: Descriptor[];
  /** The manifest this one refers to (signatures, SBOMs). */
  subject?: Descriptor;
  /** Arbitrary metadata. */
  annotations?: Record<string, string>;
}

/** An image index (OCI, or Docker manifest list). */
export interface Index {
  /** Always 2. */
  schemaVersion: 2;
  /** Media type of the index. */
  mediaType?: string;
  /** Type of artifact, when the index is one. */
  artifactType?: string;
  /** The manifests (and nested indexes) it lists. */
  manifests: Descriptor[];
  /** The manifest this one refers to. */
  subject?: Descriptor;
  /** Arbitrary metadata. */
  annotations?: Record<string, string>;
}

/** The empty JSON config `{}` used by artifacts (2 bytes). */
export const EMPTY_JSON_DESCRIPTOR: Readonly<Descriptor> = Object.freeze({
  mediaType: "application/vnd.oci.empty.v1+json",
  digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  size: 2,
  data: "e30=",
});
