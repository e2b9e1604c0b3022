// Reads what Wharf needs from a manifest's bytes: its media type, the descriptors it references (blobs for
// an image manifest, manifests for an index), its subject and artifact type. The bytes themselves are
// stored untouched: the digest a client pushed is the digest it pulls.
import { OciError } from './errors.js';

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  emptyJson: 'application/vnd.oci.empty.v1+json',
} as const;

const INDEX_TYPES: string[] = [MEDIA.ociIndex, MEDIA.dockerList];
const IMAGE_TYPES: string[] = [MEDIA.ociManifest, MEDIA.dockerManifest];
/** Layers a registry does not hold (Windows base layers): not required to exist. */
const FOREIGN_LAYER = /foreign|nondistributable/;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
  platform?: unknown;
}

export interface ParsedManifest {
  mediaType: string;
  /** Blobs that must exist in the repository (config and layers). */
  blobs: Descriptor[];
  /** Manifests that must exist under the same name (index children). */
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** Parses manifest bytes pushed with `contentType`. Throws MANIFEST_INVALID with the reason. */
export function parseManifest(bytes: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new OciError('MANIFEST_INVALID', 'manifest is not valid JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new OciError('MANIFEST_INVALID', 'manifest is not a JSON object');
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const header = contentType?.split(';')[0].trim().toLowerCase();
  let mediaType = header && header !== 'application/json' && header !== 'application/octet-stream' ? header : declared;
  if (!mediaType) mediaType = Array.isArray(doc.manifests) ? MEDIA.ociIndex : MEDIA.ociManifest;
  if (declared && header && declared !== mediaType && (IMAGE_TYPES.includes(declared) || INDEX_TYPES.includes(declared))) {
    throw new OciError('MANIFEST_INVALID', `Content-Type ${header} does not match the manifest's mediaType ${declared}`);
  }
  if (mediaType === MEDIA.dockerSchema1 || mediaType === MEDIA.dockerSchema1Signed || doc.schemaVersion === 1) {
    throw new OciError('MANIFEST_INVALID', 'Docker image manifest schema 1 is deprecated and not accepted; push with schema 2 or OCI');
  }
  const subject = doc.subject === undefined ? undefined : descriptor(doc.subject, 'subject');
  const annotations = isStringMap(doc.annotations) ? doc.annotations : undefined;
  if (INDEX_TYPES.includes(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw new OciError('MANIFEST_INVALID', 'index has no manifests array');
    return {
      mediaType,
      blobs: [],
      manifests: doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`)),
      subject,
      artifactType: typeof doc.artifactType === 'string' ? doc.artifactType : undefined,
      annotations,
    };
  }
  if (IMAGE_TYPES.includes(mediaType)) {
    if (doc.schemaVersion !== 2) throw new OciError('MANIFEST_INVALID', 'schemaVersion must be 2');
    const config = descriptor(doc.config, 'config');
    if (!Array.isArray(doc.layers)) throw new OciError('MANIFEST_INVALID', 'manifest has no layers array');
    const layers = doc.layers.map((l, i) => descriptor(l, `layers[${i}]`));
    return {
      mediaType,
      blobs: [config, ...layers.filter((l) => !(FOREIGN_LAYER.test(l.mediaType) && l.urls?.length))],
      manifests: [],
      subject,
      artifactType: typeof doc.artifactType === 'string' ? doc.artifactType : config.mediaType,
      annotations,
    };
  }
  // Another JSON artifact type: stored as is, nothing referenced that we could check.
  return { mediaType, blobs: [], manifests: [], subject, artifactType: typeof doc.artifactType === 'string' ? doc.artifactType : undefined, annotations };
}

function descriptor(value: unknown, where: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (!d || typeof d !== 'object' || typeof d.digest !== 'string' || typeof d.mediaType !== 'string'
    || typeof d.size !== 'number' || !Number.isInteger(d.size) || d.size < 0) {
    throw new OciError('MANIFEST_INVALID', `${where}: a descriptor needs mediaType, digest and a non-negative integer size`);
  }
  if (!/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(d.digest)) throw new OciError('MANIFEST_INVALID', `${where}: invalid digest ${d.digest}`);
  return d as Descriptor;
}

function isStringMap(v: unknown): v is Record<string, string> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}
