// The blob store entry of wharf.yaml and of the REST API (one flat shape for every type, DESIGN.md 1.4),
// its normalisation (Nexus's nested S3 form, enum case, "500GB" sizes) and the type-specific rules.
import { Type, type Static } from '@sinclair/typebox';
import type { Problem } from '../repository/format.js';
import { parseSize, QUOTA_TYPES } from '../storage/blob-quota.js';
import { flattenNexusS3 } from '../storage/s3-settings.js';

const NAME = '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$';

export const QuotaSchema = Type.Object({
  type: Type.Union(QUOTA_TYPES.map((t) => Type.Literal(t))),
  limit: Type.Integer({ minimum: 0, description: 'bytes (wharf.yaml also takes sizes such as 500GB or 1.5TiB; KB/MB/GB/TB are powers of 1024)' }),
}, { additionalProperties: false });

export const BlobStoreSchema = Type.Object({
  name: Type.String({ pattern: NAME }),
  type: Type.Union([Type.Literal('file'), Type.Literal('s3')]),
  /** file: directory, relative to WHARF_DATA unless absolute. */
  path: Type.Optional(Type.String({ minLength: 1 })),
  /** s3: where and how. */
  bucket: Type.Optional(Type.String({ minLength: 3, maxLength: 63 })),
  region: Type.Optional(Type.String()),
  endpoint: Type.Optional(Type.String({ pattern: '^(https?://.+)?$' })),
  prefix: Type.Optional(Type.String()),
  forcePathStyle: Type.Optional(Type.Boolean()),
  accessKeyId: Type.Optional(Type.String()),
  secretAccessKey: Type.Optional(Type.String()),
  sessionToken: Type.Optional(Type.String()),
  /** Nexus's soft quota: warns (status, log, metric). */
  softQuota: Type.Optional(QuotaSchema),
  /** Wharf's hard quota: refuses new writes while reads keep working. */
  hardQuota: Type.Optional(QuotaSchema),
}, { additionalProperties: false });

export type BlobStoreEntry = Static<typeof BlobStoreSchema>;

const S3_ONLY = ['bucket', 'region', 'endpoint', 'prefix', 'forcePathStyle', 'accessKeyId', 'secretAccessKey', 'sessionToken'] as const;

/** Before validation: Nexus's S3 form flattened, `type` and quota types in canonical case, size strings in bytes.
 *  Leaves anything it does not understand for validation to report. */
export function normaliseBlobStore(raw: unknown): unknown {
  const entry = flattenNexusS3(raw);
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return entry;
  const e = { ...(entry as Record<string, unknown>) };
  if (typeof e.type === 'string') e.type = e.type.toLowerCase();
  for (const key of ['softQuota', 'hardQuota']) {
    const q = e[key];
    if (!q || typeof q !== 'object') continue;
    const quota = { ...(q as Record<string, unknown>) };
    if (typeof quota.type === 'string') quota.type = QUOTA_TYPES.find((t) => t.toLowerCase() === (quota.type as string).toLowerCase()) ?? quota.type;
    if (typeof quota.limit === 'string') quota.limit = parseSize(quota.limit) ?? quota.limit;
    e[key] = quota;
  }
  return e;
}

/** Rules the schema cannot say: what each type needs and refuses. Keys are relative to the entry. */
export function blobStoreProblems(entry: BlobStoreEntry): Problem[] {
  const problems: Problem[] = [];
  if (entry.type === 's3') {
    if (!entry.bucket) problems.push({ key: 'bucket', reason: 'required for an s3 blob store' });
    if (entry.path !== undefined) problems.push({ key: 'path', reason: 'only file blob stores have a path' });
    if (entry.accessKeyId && !entry.secretAccessKey) {
      problems.push({ key: 'secretAccessKey', reason: 'required with accessKeyId (export omits it: add it back, e.g. "${S3_SECRET}")' });
    }
    if (entry.softQuota?.type === 'spaceRemainingQuota' || entry.hardQuota?.type === 'spaceRemainingQuota') {
      problems.push({ key: entry.softQuota?.type === 'spaceRemainingQuota' ? 'softQuota.type' : 'hardQuota.type', reason: 'an S3 bucket has no remaining space to measure: use spaceUsedQuota' });
    }
  } else {
    for (const key of S3_ONLY) if (entry[key] !== undefined) problems.push({ key, reason: 'only s3 blob stores take this setting' });
  }
  return problems;
}

/** A stored entry as `wharf config export` writes it: without the S3 secret key and session token (a file to
 *  apply must add the secret back, e.g. "${S3_SECRET}"; blobStoreProblems says so). */
export function exportedBlobStore(entry: BlobStoreEntry): BlobStoreEntry {
  const { secretAccessKey: _secret, sessionToken: _token, ...rest } = entry;
  return rest;
}
