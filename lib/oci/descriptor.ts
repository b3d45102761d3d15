/**
 * Content descriptors, manifests and indexes of the OCI image spec 1.1.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/descriptor.md
 * @module
 */

/** A platform, as in an image index. */
export interface Platform {
  architecture: string;
  os: string;
  "os.version"?: string;
  "os.features"?: string[];
  variant?: string;
}

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  data?: string;
  platform?: Platform;
  artifactType?: string;
}

/** An image manifest (OCI, or Docker schema 2 with the same fields). */
export interface Manifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** An image index (OCI, or Docker manifest list). */
export interface Index {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** The empty JSON config `{}` used by artifacts (2 bytes). */
export const EMPTY_JSON_DESCRIPTOR: Readonly<Descriptor> = Object.freeze({
  mediaType: "application/vnd.oci.empty.v1+json",
  digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  size: 2,
  data: "e30=",
});
