// REST v1 /blobstores: Nexus's paths and shapes. The list with usage figures, file and S3 stores read, created
// and updated (S3 in Nexus's `bucketConfiguration` form), delete (refused while a repository uses the store),
// and quota status. Wharf adds `hardQuota` (same shape as `softQuota`) and reclaimable bytes. Privileges:
// nx-blobstores-read/create/update/delete.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance } from 'fastify';
import { BlobStoreSchema, blobStoreProblems, normaliseBlobStore, QuotaSchema, type BlobStoreEntry } from '../config/blob-store-schema.js';
import { blobStoreRemovalProblem } from '../config/removal.js';
import { ConflictError, InvalidError, NotFoundError } from '../repository/errors.js';
import { actor } from '../security/audit.js';
import { reclaimable } from '../storage/blob-marks.js';
import { toNexusBucketConfiguration, type S3Settings } from '../storage/s3-settings.js';
import type { Wharf } from '../wharf.js';
import { errorResponses, NoContent } from './schemas.js';

const TAGS = ['blob stores'];
const TYPE_LABEL: Record<string, string> = { file: 'File', s3: 'S3' };

const Quota = Type.Object({ ...QuotaSchema.properties }, {
  description: 'spaceUsedQuota: at most `limit` bytes stored; spaceRemainingQuota: at least `limit` bytes left free (file stores)',
});

const Summary = Type.Object({
  name: Type.String(),
  type: Type.String({ description: 'File or S3' }),
  unavailable: Type.Boolean({ description: 'True when the store could not be opened or counted' }),
  blobCount: Type.Integer(),
  totalSizeInBytes: Type.Integer(),
  availableSpaceInBytes: Type.Integer({ description: 'Free space where a file store writes; -1 for S3 (unbounded)' }),
  reclaimableSizeInBytes: Type.Integer({ description: 'Wharf: bytes garbage collection marked, removed by the next compact' }),
  softQuota: Type.Union([Quota, Type.Null()]),
  hardQuota: Type.Union([Quota, Type.Null()], { description: 'Wharf: writes that would break it are refused' }),
}, {
  description: 'A blob store and its usage',
  examples: [{ name: 'default', type: 'File', unavailable: false, blobCount: 12, totalSizeInBytes: 73400320, availableSpaceInBytes: 52613349376, reclaimableSizeInBytes: 0, softQuota: null, hardQuota: null }],
});

const quotas = { softQuota: Type.Optional(Quota), hardQuota: Type.Optional(Quota) };
const FileBody = Type.Object({
  name: Type.String({ description: 'Unique name' }),
  path: Type.Optional(Type.String({ minLength: 1, description: 'Directory, relative to WHARF_DATA unless absolute (default blobs/<name>)' })),
  ...quotas,
}, { description: 'A file blob store', examples: [{ name: 'releases', path: 'blobs/releases', softQuota: { type: 'spaceUsedQuota', limit: 536870912000 } }] });
const FileUpdate = Type.Object({ path: FileBody.properties.path, ...quotas }, { description: 'New settings of a file blob store', examples: [{ path: 'blobs/releases' }] });
const FileView = Type.Object({ name: Type.String(), path: Type.String(), softQuota: Type.Union([Quota, Type.Null()]), hardQuota: Type.Union([Quota, Type.Null()]) }, {
  description: 'A file blob store', examples: [{ name: 'default', path: 'blobs/default', softQuota: null, hardQuota: null }],
});

const BucketConfiguration = Type.Object({
  bucket: Type.Object({
    name: Type.String({ description: 'Bucket name' }),
    region: Type.Optional(Type.String()),
    prefix: Type.Optional(Type.String({ description: 'Key prefix, so stores can share a bucket' })),
    expiration: Type.Optional(Type.Integer({ description: 'Accepted for Nexus compatibility; no effect (compact removes deleted blobs)' })),
  }),
  bucketSecurity: Type.Optional(Type.Object({
    accessKeyId: Type.Optional(Type.String()),
    secretAccessKey: Type.Optional(Type.String({ description: 'Never returned; on update, absent keeps the stored one' })),
    sessionToken: Type.Optional(Type.String()),
  })),
  advancedBucketConnection: Type.Optional(Type.Object({
    endpoint: Type.Optional(Type.String({ description: 'Custom endpoint of an S3-compatible service' })),
    forcePathStyle: Type.Optional(Type.Boolean()),
  })),
}, { description: 'Without bucketSecurity the standard AWS credential chain is used' });
const S3Example = {
  name: 'releases', softQuota: { type: 'spaceUsedQuota', limit: 536870912000 },
  bucketConfiguration: { bucket: { name: 'wharf', region: 'us-east-1', prefix: 'releases' }, advancedBucketConnection: { endpoint: 'https://minio.example:9000', forcePathStyle: true } },
};
const S3Body = Type.Object({ name: Type.String(), bucketConfiguration: BucketConfiguration, ...quotas }, { description: 'An S3 blob store', examples: [S3Example] });
const S3Update = Type.Object({ bucketConfiguration: BucketConfiguration, ...quotas }, { description: 'New settings of an S3 blob store', examples: [{ bucketConfiguration: S3Example.bucketConfiguration }] });
const S3View = Type.Object({ name: Type.String(), bucketConfiguration: Type.Unknown(), softQuota: Type.Union([Quota, Type.Null()]), hardQuota: Type.Union([Quota, Type.Null()]) }, {
  description: 'An S3 blob store (without its secret key)', examples: [{ ...S3Example, hardQuota: null }],
});

const QuotaStatus = Type.Object({
  blobStoreName: Type.String(),
  isViolation: Type.Boolean({ description: 'True when the soft quota is exceeded or the hard quota reached' }),
  message: Type.String(),
  hardQuotaReached: Type.Boolean({ description: 'Wharf: writes are being refused' }),
}, { examples: [{ blobStoreName: 'default', isViolation: false, message: 'blob store default is within its quotas', hardQuotaReached: false }] });

const NameParams = Type.Object({ name: Type.String({ description: 'Blob store name', examples: ['default'] }) });
type Params = Static<typeof NameParams>;

async function row(wharf: Wharf, name: string, type?: string): Promise<BlobStoreEntry> {
  const r = await wharf.db.selectFrom('blob_stores').selectAll().where('name', '=', name).executeTakeFirst();
  if (!r || (type && r.type !== type)) throw new NotFoundError('name', `no ${type ? `${type} ` : ''}blob store named ${name}`);
  return { name: r.name, type: r.type, ...JSON.parse(r.attributes) } as BlobStoreEntry;
}

/** Normalises and checks an entry with wharf.yaml's rules, then stores and opens it. */
async function save(wharf: Wharf, raw: Record<string, unknown>): Promise<BlobStoreEntry> {
  const entry = normaliseBlobStore(raw) as BlobStoreEntry;
  const details = [...Value.Errors(BlobStoreSchema, entry)].map((e) => ({ field: e.path.replace(/^\//, '').replaceAll('/', '.'), in: 'body', message: e.message }));
  if (!details.length) details.push(...blobStoreProblems(entry).map((p) => ({ field: p.key, in: 'body', message: p.reason })));
  if (details.length) throw new InvalidError('BLOBSTORE_INVALID', `invalid blob store: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
  const { name, type, ...rest } = entry;
  // Opened and counted first: a store that cannot be reached is not recorded, and the open one stays.
  await wharf.blobStores.open({ name, type, ...rest }, (store) => store.usage()).catch((e: Error) => {
    throw new InvalidError('BLOBSTORE_UNAVAILABLE', `blob store ${name} cannot be used: ${e.message}`);
  });
  const attributes = JSON.stringify(rest);
  await wharf.db.insertInto('blob_stores').values({ name, type, attributes })
    .onConflict((oc) => oc.column('name').doUpdateSet({ type, attributes })).execute();
  return entry;
}

async function summary(wharf: Wharf, entry: BlobStoreEntry): Promise<Static<typeof Summary>> {
  const base = {
    name: entry.name, type: TYPE_LABEL[entry.type] ?? entry.type, softQuota: entry.softQuota ?? null, hardQuota: entry.hardQuota ?? null,
    reclaimableSizeInBytes: (await reclaimable(wharf.db, entry.name)).bytes,
  };
  try {
    const usage = await wharf.blobStores.metered(entry.name).usage();
    const available = usage.availableSpaceInBytes;
    return { ...base, unavailable: false, blobCount: usage.blobCount, totalSizeInBytes: usage.totalSizeInBytes, availableSpaceInBytes: available === undefined || !Number.isFinite(available) ? -1 : available };
  } catch {
    return { ...base, unavailable: true, blobCount: 0, totalSizeInBytes: 0, availableSpaceInBytes: -1 };
  }
}

function quotasOf(e: BlobStoreEntry) {
  return { softQuota: e.softQuota ?? null, hardQuota: e.hardQuota ?? null };
}

/** The flat entry of an S3 body; on update, an absent secret keeps the stored one for the same access key. */
function s3Entry(name: string, body: Static<typeof S3Update>, before?: BlobStoreEntry): Record<string, unknown> {
  const entry = normaliseBlobStore({ name, type: 's3', ...body }) as Record<string, unknown>;
  if (before && entry.accessKeyId && entry.accessKeyId === before.accessKeyId && entry.secretAccessKey === undefined) entry.secretAccessKey = before.secretAccessKey;
  return entry;
}

export function registerBlobStoreRoutes(app: FastifyInstance, wharf: Wharf): void {
  const audit = (request: Parameters<typeof actor>[0], type: string, name: string) =>
    wharf.audit.record({ ...actor(request), domain: 'blobstore', type, object: name });
  const route = (summary: string, description: string, response: Record<number, TSchema>) => ({ tags: TAGS, summary, description, response });

  app.get('/blobstores', { schema: route('List blob stores', 'Every blob store with its usage. Needs nx-blobstores-read.', { 200: Type.Array(Summary, { examples: [[Summary.examples[0]]] }), ...errorResponses(401, 403) }) },
    async (request) => {
      wharf.access.checkDomain(request.user, 'blobstores', 'read');
      const rows = await wharf.db.selectFrom('blob_stores').selectAll().orderBy('name').execute();
      return Promise.all(rows.map((r) => summary(wharf, { name: r.name, type: r.type, ...JSON.parse(r.attributes) })));
    });

  app.get<{ Params: Params }>('/blobstores/:name/quota-status', {
    schema: { ...route('Quota status of a blob store', 'Whether its soft quota is exceeded (Nexus) or its hard quota reached (Wharf). Needs nx-blobstores-read.', { 200: QuotaStatus, ...errorResponses(401, 403, 404) }), params: NameParams },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'blobstores', 'read');
    const { name } = await row(wharf, request.params.name);
    const { soft, hard } = await wharf.blobStores.metered(name).quotaStatus();
    return { blobStoreName: name, isViolation: Boolean(soft || hard), hardQuotaReached: Boolean(hard), message: [soft, hard].filter(Boolean).join('; ') || `blob store ${name} is within its quotas` };
  });

  app.delete<{ Params: Params }>('/blobstores/:name', {
    schema: { ...route('Delete a blob store', 'Forgets a blob store (its bytes stay where they are). Refused while a repository uses it. Needs nx-blobstores-delete.', { 204: NoContent, ...errorResponses(401, 403, 404, 409) }), params: NameParams },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'blobstores', 'delete');
    const { name } = await row(wharf, request.params.name);
    const problem = blobStoreRemovalProblem(wharf.repositories.list(), new Set([name]));
    if (problem) throw new ConflictError(problem);
    await wharf.db.deleteFrom('blob_stores').where('name', '=', name).execute();
    wharf.blobStores.forget(name);
    audit(request, 'delete', name);
    return reply.code(204).send();
  });

  // File stores.
  app.get<{ Params: Params }>('/blobstores/file/:name', {
    schema: { ...route('Get a file blob store', 'Needs nx-blobstores-read.', { 200: FileView, ...errorResponses(401, 403, 404) }), params: NameParams },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'blobstores', 'read');
    const e = await row(wharf, request.params.name, 'file');
    return { name: e.name, path: e.path ?? `blobs/${e.name}`, ...quotasOf(e) };
  });

  app.post<{ Body: Static<typeof FileBody> }>('/blobstores/file', {
    schema: { ...route('Create a file blob store', 'Needs nx-blobstores-create.', { 204: NoContent, ...errorResponses(400, 401, 403, 409) }), body: FileBody },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'blobstores', 'create');
    await refuseTaken(wharf, request.body.name);
    await save(wharf, { ...request.body, type: 'file' });
    audit(request, 'create', request.body.name);
    return reply.code(204).send();
  });

  app.put<{ Params: Params; Body: Static<typeof FileUpdate> }>('/blobstores/file/:name', {
    schema: { ...route('Update a file blob store', 'A new path opens the store there (nothing is moved). Needs nx-blobstores-update.', { 204: NoContent, ...errorResponses(400, 401, 403, 404) }), params: NameParams, body: FileUpdate },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'blobstores', 'update');
    const before = await row(wharf, request.params.name, 'file');
    await save(wharf, { name: before.name, type: 'file', path: before.path, ...request.body });
    audit(request, 'update', before.name);
    return reply.code(204).send();
  });

  // S3 stores.
  app.get<{ Params: Params }>('/blobstores/s3/:name', {
    schema: { ...route('Get an S3 blob store', 'Its bucket configuration, without the secret key. Needs nx-blobstores-read.', { 200: S3View, ...errorResponses(401, 403, 404) }), params: NameParams },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'blobstores', 'read');
    const e = await row(wharf, request.params.name, 's3');
    return { name: e.name, bucketConfiguration: toNexusBucketConfiguration(e as unknown as S3Settings), ...quotasOf(e) };
  });

  app.post<{ Body: Static<typeof S3Body> }>('/blobstores/s3', {
    schema: { ...route('Create an S3 blob store', 'Needs nx-blobstores-create.', { 201: NoContent, ...errorResponses(400, 401, 403, 409) }), body: S3Body },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'blobstores', 'create');
    await refuseTaken(wharf, request.body.name);
    const { name, ...body } = request.body;
    await save(wharf, s3Entry(name, body));
    audit(request, 'create', name);
    return reply.code(201).send();
  });

  app.put<{ Params: Params; Body: Static<typeof S3Update> }>('/blobstores/s3/:name', {
    schema: { ...route('Update an S3 blob store', 'An absent secretAccessKey keeps the stored one (for the same accessKeyId). Needs nx-blobstores-update.', { 204: NoContent, ...errorResponses(400, 401, 403, 404) }), params: NameParams, body: S3Update },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'blobstores', 'update');
    const before = await row(wharf, request.params.name, 's3');
    await save(wharf, s3Entry(before.name, request.body, before));
    audit(request, 'update', before.name);
    return reply.code(204).send();
  });
}

async function refuseTaken(wharf: Wharf, name: string): Promise<void> {
  const taken = await wharf.db.selectFrom('blob_stores').select('name').where('name', '=', name).executeTakeFirst();
  if (taken) throw new ConflictError(`a blob store named ${name} already exists`);
}
