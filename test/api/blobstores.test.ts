// Contract tests of /service/rest/v1/blobstores: Nexus's list shape with usage figures, file and S3 stores
// created, read and updated (S3 on a real S3-compatible server), delete refused while a repository uses the
// store, quota status, the status check and metrics; privileges nx-blobstores-*; errors in the REST shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob } from '../helpers/oci.js';
import { pushBlob } from '../helpers/registry.js';
import { startS3, S3_ACCESS_KEY, S3_SECRET_KEY, type TestS3 } from '../helpers/s3.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { basic, restClient } from './client.js';

let wharf: TestWharf;
let s3: TestS3;
let api: ReturnType<typeof restClient>;
const reader = basic('bs-reader', 'reader-pw');

beforeAll(async () => {
  s3 = await startS3();
  wharf = await startWharf({
    config: `
blobStores:
  - { name: watched, type: File, path: blobs/watched, softQuota: { type: SPACEUSEDQUOTA, limit: 1KB } }
repositories:
  - { name: on-watched, format: docker, type: hosted, storage: { blobStoreName: watched, writePolicy: allow } }
security:
  roles:
    - { id: bs-read, privileges: [nx-blobstores-read] }
  users:
    - { userId: bs-reader, password: reader-pw, roles: [bs-read] }
`,
  });
  api = restClient(wharf);
});

afterAll(async () => {
  await wharf?.stop();
  await s3?.stop();
});

const s3Body = (name: string, prefix: string) => ({
  name,
  softQuota: { type: 'spaceUsedQuota', limit: 1_000_000 },
  bucketConfiguration: {
    bucket: { name: s3.bucket, region: 'us-east-1', prefix, expiration: 3 },
    bucketSecurity: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY },
    advancedBucketConnection: { endpoint: s3.endpoint, forcePathStyle: true },
  },
});

describe('list and quota status', () => {
  it('lists every store in Nexus\'s shape with usage, and reports an exceeded soft quota', async () => {
    await pushBlob(wharf, 'on-watched/app', blob(Buffer.alloc(3000, 7))); // 3000 bytes > the 1 KiB soft quota
    const list = await api('/blobstores');
    expect(list.status).toBe(200);
    const watched = list.body.find((s: { name: string }) => s.name === 'watched');
    expect(watched).toEqual({
      name: 'watched', type: 'File', unavailable: false, blobCount: 1, totalSizeInBytes: 3000,
      availableSpaceInBytes: expect.any(Number), reclaimableSizeInBytes: 0,
      softQuota: { type: 'spaceUsedQuota', limit: 1024 }, hardQuota: null,
    });
    expect(watched.availableSpaceInBytes).toBeGreaterThan(0);
    expect(list.body.map((s: { name: string }) => s.name)).toContain('default');

    const status = await api('/blobstores/watched/quota-status');
    expect(status.body).toEqual({
      blobStoreName: 'watched', isViolation: true, hardQuotaReached: false,
      message: 'blob store watched is over its soft quota: 2.9 KB used of 1.0 KB (spaceUsedQuota)',
    });
    expect((await api('/blobstores/default/quota-status')).body).toMatchObject({ isViolation: false, message: 'blob store default is within its quotas' });
  });

  it('shows the soft quota in the status check and the metrics', async () => {
    const check = await api('/status/check');
    expect(check.status).toBe(200);
    expect(check.body['Blob Stores Quota']).toMatchObject({
      healthy: false, message: 'blob stores over quota: watched',
      details: { watched: 'blob store watched is over its soft quota: 2.9 KB used of 1.0 KB (spaceUsedQuota)' },
    });
    expect(check.body['Blob Stores Ready']).toMatchObject({ healthy: true, message: null });
    const metrics = await (await fetch(`${wharf.url}/service/metrics/prometheus`)).text();
    expect(metrics).toContain('wharf_blobstore_size_bytes{blob_store="watched"} 3000');
    expect(metrics).toContain('wharf_blobstore_blobs{blob_store="watched"} 1');
    expect(metrics).toContain('wharf_blobstore_soft_quota_exceeded{blob_store="watched"} 1');
    expect(metrics).toContain('wharf_blobstore_soft_quota_exceeded{blob_store="default"} 0');
    expect(metrics).toContain('wharf_blobstore_quota_limit_bytes{blob_store="watched",quota="soft",type="spaceUsedQuota"} 1024');
    expect(metrics).toContain('wharf_blobstore_reclaimable_bytes{blob_store="watched"} 0');
  });

  it('answers 404 for an unknown store and 401/403 without the privilege', async () => {
    const missing = await api('/blobstores/nope/quota-status');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: 'no blob store named nope' });
    expect((await api('/blobstores', { auth: null })).status).toBe(401);
    expect((await api('/blobstores', { auth: reader })).status).toBe(200);
    const refused = await api('/blobstores/file', { method: 'POST', auth: reader, body: { name: 'x' } });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/may not create blobstores/);
  });
});

describe('file blob stores', () => {
  it('creates, reads and updates one; refuses a taken name and invalid settings', async () => {
    const created = await api('/blobstores/file', { method: 'POST', body: { name: 'extra', path: 'blobs/extra-dir', hardQuota: { type: 'spaceUsedQuota', limit: 5000 } } });
    expect(created.status).toBe(204);
    expect((await api('/blobstores/file/extra')).body).toEqual({ name: 'extra', path: 'blobs/extra-dir', softQuota: null, hardQuota: { type: 'spaceUsedQuota', limit: 5000 } });
    expect((await api('/blobstores/file', { method: 'POST', body: { name: 'extra' } })).status).toBe(409);
    const updated = await api('/blobstores/file/extra', { method: 'PUT', body: { path: 'blobs/extra-dir', softQuota: { type: 'spaceRemainingQuota', limit: 1 } } });
    expect(updated.status).toBe(204);
    expect((await api('/blobstores/file/extra')).body).toEqual({ name: 'extra', path: 'blobs/extra-dir', softQuota: { type: 'spaceRemainingQuota', limit: 1 }, hardQuota: null });
    const bad = await api('/blobstores/file', { method: 'POST', body: { name: 'bad', softQuota: { type: 'spaceUsedQuota', limit: -1 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toMatch(/softQuota\.limit/);
    expect((await api('/blobstores/file/default')).body.path).toBe('blobs/default');
    expect((await api('/blobstores/s3/extra')).status).toBe(404); // a file store is not an S3 one
  });
});

describe('S3 blob stores', () => {
  it('creates one in Nexus\'s shape, reads it back without the secret, updates it keeping the secret', async () => {
    const created = await api('/blobstores/s3', { method: 'POST', body: s3Body('cloud', 'cloud') });
    expect(created.status).toBe(201);
    const read = await api('/blobstores/s3/cloud');
    expect(read.body).toEqual({
      name: 'cloud', softQuota: { type: 'spaceUsedQuota', limit: 1_000_000 }, hardQuota: null,
      bucketConfiguration: {
        bucket: { name: s3.bucket, region: 'us-east-1', prefix: 'cloud', expiration: -1 },
        bucketSecurity: { accessKeyId: S3_ACCESS_KEY },
        advancedBucketConnection: { endpoint: s3.endpoint, forcePathStyle: true },
      },
    });
    expect(read.body.bucketConfiguration.bucketSecurity).not.toHaveProperty('secretAccessKey');
    // GET -> PUT round trip: the secret is not sent back, and the store keeps working.
    const { name: _n, ...update } = read.body;
    expect((await api('/blobstores/s3/cloud', { method: 'PUT', body: { ...update, hardQuota: { type: 'spaceUsedQuota', limit: 10_000 } } })).status).toBe(204);
    const repo = await api('/repositories/docker/hosted', { method: 'POST', body: { name: 'on-cloud', online: true, storage: { blobStoreName: 'cloud', strictContentTypeValidation: true, writePolicy: 'allow' } } });
    expect(repo.status, JSON.stringify(repo.body)).toBeLessThan(300);
    await pushBlob(wharf, 'on-cloud/app', blob('stored in the bucket'));
    const listed = (await api('/blobstores')).body.find((s: { name: string }) => s.name === 'cloud');
    expect(listed).toMatchObject({ type: 'S3', unavailable: false, blobCount: 1, totalSizeInBytes: 20, availableSpaceInBytes: -1, hardQuota: { type: 'spaceUsedQuota', limit: 10_000 } });
  });

  it('refuses an S3 store without a bucket, or with spaceRemainingQuota', async () => {
    const body = s3Body('nobucket', 'x');
    const noBucket = await api('/blobstores/s3', { method: 'POST', body: { ...body, bucketConfiguration: { ...body.bucketConfiguration, bucket: {} } } });
    expect(noBucket.status).toBe(400);
    const remaining = await api('/blobstores/s3', { method: 'POST', body: { ...s3Body('remaining', 'r'), softQuota: { type: 'spaceRemainingQuota', limit: 1 } } });
    expect(remaining.status).toBe(400);
    expect(remaining.body.details).toEqual([{ field: 'softQuota.type', in: 'body', message: 'an S3 bucket has no remaining space to measure: use spaceUsedQuota' }]);
    expect((await api('/blobstores/s3/remaining')).status).toBe(404);
  });

  it('refuses a store it cannot reach, and keeps the one it had', async () => {
    const body = s3Body('unreachable', 'u');
    const unreachable = { ...body, bucketConfiguration: { ...body.bucketConfiguration, advancedBucketConnection: { endpoint: 'http://127.0.0.1:9', forcePathStyle: true } } };
    const refused = await api('/blobstores/s3', { method: 'POST', body: unreachable });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/^blob store unreachable cannot be used: /);
    expect((await api('/blobstores/s3/unreachable')).status).toBe(404);
    const { name: _n, ...update } = unreachable;
    expect((await api('/blobstores/s3/cloud', { method: 'PUT', body: update })).status).toBe(400);
    expect((await api('/blobstores/s3/cloud')).body.bucketConfiguration.advancedBucketConnection.endpoint).toBe(s3.endpoint);
    expect((await api('/blobstores')).body.find((s: { name: string }) => s.name === 'cloud')).toMatchObject({ unavailable: false, blobCount: 1 });
    expect((await api('/status/check')).body['Blob Stores Ready']).toMatchObject({ healthy: true, message: null });
  });
});

describe('delete', () => {
  it('refuses while a repository uses the store, then deletes it once free', async () => {
    const busy = await api('/blobstores/cloud', { method: 'DELETE' });
    expect(busy.status).toBe(409);
    expect(busy.body).toEqual({ message: 'blob store cloud is used by repository on-cloud' });
    expect((await api('/repositories/on-cloud', { method: 'DELETE' })).status).toBe(204);
    expect((await api('/blobstores/cloud', { method: 'DELETE' })).status).toBe(204);
    expect((await api('/blobstores/s3/cloud')).status).toBe(404);
    expect((await api('/blobstores/cloud', { method: 'DELETE' })).status).toBe(404);
    expect((await api('/blobstores')).body.map((s: { name: string }) => s.name)).not.toContain('cloud');
  });
});
