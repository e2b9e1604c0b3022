// Blob store hard quota with real clients: a skopeo push over the limit fails with a clear "denied" error and
// leaves no stray bytes (blob store content, uploads and temp directories checked on disk); reads keep working;
// at the limit, new uploads are refused in the OCI error shape while pulls go on.
import { readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempDirs, buildImage, skopeo, type BuiltImage } from '../helpers/images.js';
import { blob } from '../helpers/oci.js';
import { expectOciError, pushBlob, v2 } from '../helpers/registry.js';
import { ADMIN_PASSWORD, startWharf, type TestWharf } from '../helpers/wharf.js';
import { restClient } from '../api/client.js';

const LIMIT = 2 * 1024 * 1024; // "2MB" below
const dirs = new TempDirs();
let t: TestWharf;
let small: BuiltImage;
let big: BuiltImage;

beforeAll(async () => {
  t = await startWharf({
    config: `
blobStores:
  - { name: default, type: file, path: blobs/default, hardQuota: { type: spaceUsedQuota, limit: 2MB }, softQuota: { type: spaceusedquota, limit: 1.5 MiB } }
repositories:
  - { name: hosted, format: docker, type: hosted, storage: { blobStoreName: default, writePolicy: allow } }
`,
  });
  const layout = join(await dirs.make('wharf-quota-'), 'layout');
  small = await buildImage(layout, 'small', { layers: [{ path: '/small.bin', size: 100_000 }] });
  big = await buildImage(layout, 'big', { layers: [{ path: '/big.bin', size: 3 * 1024 * 1024 }] }); // random: gzip cannot shrink it
});

afterAll(async () => {
  await t?.stop();
  await dirs.removeAll();
});

const store = () => join(t.dataDir, 'blobs', 'default');

async function contentFiles(): Promise<{ name: string; size: number }[]> {
  const base = join(store(), 'content', 'sha256');
  const out: { name: string; size: number }[] = [];
  for (const prefix of await readdir(base)) {
    for (const name of await readdir(join(base, prefix))) out.push({ name, size: (await stat(join(base, prefix, name))).size });
  }
  return out;
}

async function strayFiles(): Promise<string[]> {
  const dirs = [join(store(), 'uploads'), join(store(), 'tmp'), join(t.dataDir, 'tmp')].filter((d) => existsSync(d));
  return (await Promise.all(dirs.map(async (d) => (await readdir(d)).map((f) => join(d, f))))).flat();
}

const push = (image: BuiltImage, tag: string) =>
  skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', `admin:${ADMIN_PASSWORD}`, '--retry-times', '0', image.ref, `docker://${t.host}/hosted/app:${tag}`]);

describe('hard quota', () => {
  it('lets a push under the limit through', async () => {
    await push(small, 'small');
    expect((await contentFiles()).length).toBe(3); // layer, config, manifest
  });

  it('refuses a push over the limit with a clear error and leaves no stray bytes', async () => {
    const before = await contentFiles();
    const failure = await push(big, 'big').then(() => undefined, (e: Error) => e);
    expect(failure?.message).toMatch(/denied: blob store default is over its hard quota: .* more would exceed the limit of 2\.0 MB; reads keep working/);
    const layer = big.manifest.layers[0].digest.slice('sha256:'.length);
    const after = await contentFiles();
    expect(after.map((f) => f.name)).not.toContain(layer);
    expect(after.filter((f) => !before.some((b) => b.name === f.name)).every((f) => f.size < 10_000)).toBe(true); // at most the config
    expect(after.reduce((n, f) => n + f.size, 0)).toBeLessThanOrEqual(LIMIT);
    expect(await strayFiles()).toEqual([]);
  });

  it('keeps reads working', async () => {
    const out = join(await dirs.make('wharf-quota-pull-'), 'layout');
    await skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${t.host}/hosted/app:small`, `oci:${out}:small`]);
    expect(existsSync(join(out, 'blobs', 'sha256', small.manifest.layers[0].digest.slice(7)))).toBe(true);
  });

  it('takes a blob that fills the store exactly, then refuses new uploads in the OCI shape while pulls go on', async () => {
    const api = restClient(t);
    const used = (await api('/blobstores')).body.find((s: { name: string }) => s.name === 'default').totalSizeInBytes;
    const filler = blob(Buffer.alloc(LIMIT - used, 1));
    await pushBlob(t, 'hosted/app', filler);
    const status = await api('/blobstores/default/quota-status');
    expect(status.body).toMatchObject({ isViolation: true, hardQuotaReached: true });
    expect(status.body.message).toMatch(/over its soft quota: 2\.0 MB used of 1\.5 MB .*; blob store default is over its hard quota: 2\.0 MB used of 2\.0 MB/);
    const refused = await v2(t, 'hosted/app/blobs/uploads/', { method: 'POST' });
    const error = await expectOciError(refused, 403, 'DENIED');
    expect(error.message).toMatch(/^blob store default is over its hard quota/);
    const read = await v2(t, `hosted/app/blobs/${filler.digest}`);
    expect(read.status).toBe(200);
    expect((await read.arrayBuffer()).byteLength).toBe(filler.size);
    const metrics = await (await fetch(`${t.url}/service/metrics/prometheus`)).text();
    expect(metrics).toContain('wharf_blobstore_hard_quota_reached{blob_store="default"} 1');
    expect(await strayFiles()).toEqual([]);
  });
});
