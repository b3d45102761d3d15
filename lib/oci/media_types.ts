/**
 * Media types of the OCI image spec, Docker schema 2 and the Notary Project.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/media-types.md
 * @module
 */

/** OCI image manifest. */
export const MEDIA_TYPE_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
/** OCI image index. */
export const MEDIA_TYPE_OCI_INDEX = "application/vnd.oci.image.index.v1+json";
/** OCI image config. */
export const MEDIA_TYPE_OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
/** OCI gzip layer. */
export const MEDIA_TYPE_OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
/** The empty JSON descriptor's media type. */
export const MEDIA_TYPE_EMPTY_JSON = "application/vnd.oci.empty.v1+json";
/** Docker schema 2 manifest. */
export const MEDIA_TYPE_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
/** Docker manifest list. */
export const MEDIA_TYPE_DOCKER_MANIFEST_LIST =
  "application/vnd.docker.distribution.manifest.list.v2+json";
/** Docker gzip layer. */
export const MEDIA_TYPE_DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/** Notary Project signature artifact type (and 1.x config media type). */
export const MEDIA_TYPE_NOTARY_SIGNATURE = "application/vnd.cncf.notary.signature";
/** Notary Project payload content type. */
export const MEDIA_TYPE_NOTARY_PAYLOAD = "application/vnd.cncf.notary.payload.v1+json";
/** JWS envelope media type. */
export const MEDIA_TYPE_JWS = "application/jose+json";
/** COSE envelope media type. */
export const MEDIA_TYPE_COSE = "application/cose";

/** Annotation holding a tag in an image layout's `index.json`. */
export const ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name";
/** Annotation holding the full image name in a buildx/containerd tar. */
export const ANNOTATION_CONTAINERD_IMAGE_NAME = "io.containerd.image.name";
/** Annotation with the signing certificate thumbprints on a signature manifest. */
export const ANNOTATION_NOTARY_THUMBPRINTS = "io.cncf.notary.x509chain.thumbprint#S256";
/** Creation time annotation. */
export const ANNOTATION_CREATED = "org.opencontainers.image.created";

/** Media types whose content is a manifest (image manifest or index, OCI or Docker). */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MEDIA_TYPE_OCI_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_DOCKER_MANIFEST,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
];

/** Whether a media type denotes a manifest or index. */
export function isManifestMediaType(mediaType: string): boolean {
  return MANIFEST_MEDIA_TYPES.includes(mediaType);
}

/** Whether a media type denotes an index (OCI index or Docker manifest list). */
export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPE_OCI_INDEX || mediaType === MEDIA_TYPE_DOCKER_MANIFEST_LIST;
}
