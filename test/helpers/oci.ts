// Tiny helpers to build OCI content in memory for HTTP-level tests: blobs, manifests and their digests.
import { createHash } from 'node:crypto';

export function digestOf(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface Blob {
  bytes: Buffer;
  digest: string;
  size: number;
}

export function blob(content: string | Buffer): Blob {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { bytes, digest: digestOf(bytes), size: bytes.length };
}

/** An OCI image manifest over a config and layers, with optional subject and artifactType. */
export function imageManifest(config: Blob, layers: Blob[], extra: Record<string, unknown> = {}): Blob {
  return blob(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
    ...extra,
  }));
}
