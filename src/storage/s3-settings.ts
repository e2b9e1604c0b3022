// Settings of an S3 blob store: the flat form wharf.yaml and the database keep (DESIGN.md 1.4), the Nexus REST
// form (`bucketConfiguration`) turned into it and back, and the S3 client they describe.
import { createRequire } from 'node:module';
import type { S3Client } from '@aws-sdk/client-s3';

export interface S3Settings {
  bucket: string;
  region?: string;
  /** A custom endpoint (MinIO, Ceph, ...); absent means AWS. */
  endpoint?: string;
  /** Key prefix inside the bucket, so several blob stores can share one bucket. */
  prefix?: string;
  forcePathStyle?: boolean;
  /** Without an access key the standard AWS chain is used (environment, profile, web identity, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/** The Nexus REST shape of an S3 blob store's bucket settings (POST/PUT /v1/blobstores/s3). */
export interface NexusBucketConfiguration {
  bucket: { region?: string; name: string; prefix?: string; expiration?: number };
  bucketSecurity?: { accessKeyId?: string; secretAccessKey?: string; sessionToken?: string; [other: string]: unknown };
  advancedBucketConnection?: { endpoint?: string; forcePathStyle?: boolean; [other: string]: unknown };
  [other: string]: unknown;
}

/**
 * Flattens an entry that uses Nexus's `bucketConfiguration` into the flat form. Unknown nested keys are lifted
 * to the top level so that schema validation names them; `bucket.expiration` (Nexus's lifecycle rule for
 * soft-deleted blobs) is accepted and dropped: Wharf's compact task removes deleted blobs itself.
 * Entries without `bucketConfiguration` (and anything that is not an object) are returned unchanged.
 */
export function flattenNexusS3(entry: unknown): unknown {
  if (!entry || typeof entry !== 'object' || !('bucketConfiguration' in entry)) return entry;
  const { bucketConfiguration, ...rest } = entry as { bucketConfiguration: unknown } & Record<string, unknown>;
  if (!bucketConfiguration || typeof bucketConfiguration !== 'object') return entry;
  const { bucket, bucketSecurity, advancedBucketConnection, ...unknownSections } = bucketConfiguration as NexusBucketConfiguration;
  const flat: Record<string, unknown> = { ...rest, ...unknownSections };
  if (bucket && typeof bucket === 'object') {
    const { name, region, prefix, expiration: _dropped, ...other } = bucket;
    Object.assign(flat, other, defined({ bucket: name, region, prefix }));
  }
  if (bucketSecurity && typeof bucketSecurity === 'object') Object.assign(flat, defined(bucketSecurity));
  if (advancedBucketConnection && typeof advancedBucketConnection === 'object') Object.assign(flat, defined(advancedBucketConnection));
  return flat;
}

/** The Nexus REST shape of flat settings, without the secret key (never read back). */
export function toNexusBucketConfiguration(s: S3Settings): NexusBucketConfiguration {
  return {
    bucket: { name: s.bucket, region: s.region ?? '', prefix: s.prefix ?? '', expiration: -1 },
    bucketSecurity: s.accessKeyId ? { accessKeyId: s.accessKeyId } : undefined,
    advancedBucketConnection: { endpoint: s.endpoint ?? '', forcePathStyle: Boolean(s.forcePathStyle) },
  };
}

function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
}

export function s3Client(s: S3Settings): S3Client {
  // The SDK is required here, on first use, so a server without S3 blob stores never loads it (it takes longer
  // to load than the rest of Wharf: docs/decisions/startup-time.md).
  const sdk = createRequire(import.meta.url)('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
  return new sdk.S3Client({
    region: s.region || 'us-east-1',
    endpoint: s.endpoint || undefined,
    forcePathStyle: s.forcePathStyle,
    credentials: s.accessKeyId
      ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey ?? '', sessionToken: s.sessionToken }
      : undefined, // the SDK's default provider chain
    // Checksums only where S3 requires them: S3-compatible servers differ in what trailing checksums they
    // accept, and every blob is verified by its SHA-256 anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
