// Disk full: a blob store on a 24 MiB tmpfs. Pushes that do not fit fail quickly with an OCI error (507
// INSUFFICIENT_STORAGE), the server keeps serving, stored images stay intact, and the space of the refused
// uploads comes back at once (raw PUTs answer 507 too, in the REST error shape). Mounting needs root (CI runs
// as root); elsewhere the file is skipped, saying so.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { statfs, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder } from '../helpers/integrity.js';
import { skopeo, TempDirs } from '../helpers/images.js';
import { blob, digestOf } from '../helpers/oci.js';
import { describe as described, expectOciError, makeImage, pushImage, putManifest, v2, type Image } from '../helpers/registry.js';
import { mulberry32, seededLayout } from '../helpers/seeded.js';
import { curl } from '../raw/helpers.js';
import { ADMIN_PASSWORD, adminAuth, startWharf, type TestWharf } from '../helpers/wharf.js';

const MIB = 1024 * 1024;
const mountPoint = mkdtempSync(join(tmpdir(), 'wharf-small-fs-'));
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mountPoint]).status === 0;
if (!mounted) console.warn(`disk-full tests skipped: cannot mount a tmpfs at ${mountPoint} (needs root)`);

const dirs = new TempDirs();
let wharf: TestWharf;
let stored: Image;

const free = async () => {
  const s = await statfs(mountPoint);
  return s.bavail * s.bsize;
};

/** Free space is back to `before` (give or take a few blocks of directories and the manifest files). */
const expectSpaceBack = async (before: number) => expect(before - await free()).toBeLessThan(256 * 1024);

async function expectStoredIntact() {
  const res = await v2(wharf, 'tiny/app/manifests/1.0');
  expect(res.status).toBe(200);
  expect(digestOf(Buffer.from(await res.arrayBuffer()))).toBe(stored.manifest.digest);
  for (const b of [stored.config, ...stored.layers]) {
    const got = await v2(wharf, `tiny/app/blobs/${b.digest}`);
    expect(digestOf(Buffer.from(await got.arrayBuffer()))).toBe(b.digest);
  }
}

beforeAll(async () => {
  if (!mounted) return;
  wharf = await startWharf({
    config: [
      'blobStores:',
      `  - { name: small, type: file, path: ${mountPoint} }`,
      'repositories:',
      '  - { name: tiny, format: docker, type: hosted, storage: { blobStoreName: small, writePolicy: allow } }',
      '  - { name: tinyraw, format: raw, type: hosted, storage: { blobStoreName: small, writePolicy: allow } }',
    ].join('\n') + '\n',
  });
  stored = await pushImage(wharf, 'tiny/app', '1.0', makeImage('stored before the disk filled up', {}));
  // one bigger layer too, so "intact" covers a multi-megabyte blob
  stored.layers.push(blob(randomBytes(2 * MIB)));
  const res = await v2(wharf, `tiny/app/blobs/uploads/?digest=${stored.layers[2].digest}`, { method: 'POST', body: stored.layers[2].bytes });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  await wharf?.stop();
  await dirs.removeAll();
  if (mounted) spawnSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

describe.skipIf(!mounted)('disk full: a blob store on a 24 MiB file system', { timeout: 120_000 }, () => {
  it('refuses a monolithic upload that does not fit with 507 INSUFFICIENT_STORAGE, and frees its space', async () => {
    const before = await free();
    const big = blob(randomBytes(40 * MIB));
    const res = await v2(wharf, `tiny/big/blobs/uploads/?digest=${big.digest}`, { method: 'POST', body: big.bytes, signal: AbortSignal.timeout(30_000) });
    const error = await expectOciError(res, 507, 'INSUFFICIENT_STORAGE');
    expect(error.message).toMatch(/blob store small has no space left/);
    await expectSpaceBack(before);
    expect((await v2(wharf, `tiny/big/blobs/${big.digest}`, { method: 'HEAD' })).status).toBe(404);
    expect(await filesUnder(join(mountPoint, 'uploads'))).toEqual([]);
  });

  it('refuses a raw PUT that does not fit with 507 and a REST error naming the store, and frees its space', async () => {
    const before = await free();
    const file = join(await dirs.make('wharf-raw-full-'), 'big.bin');
    await writeFile(file, randomBytes(40 * MIB));
    // curl, as a raw client would upload: the refusal comes while it is still sending.
    const out = await curl(['-u', `admin:${ADMIN_PASSWORD}`, '-T', file, `${wharf.url}/repository/tinyraw/big.bin`]);
    expect(out.status, out.body + out.stderr).toBe(507);
    expect(JSON.parse(out.body).message).toMatch(/blob store small has no space left/);
    await expectSpaceBack(before);
    expect((await fetch(`${wharf.url}/repository/tinyraw/big.bin`, { headers: { authorization: adminAuth } })).status).toBe(404);
    expect(await filesUnder(join(mountPoint, 'uploads'))).toEqual([]);
    expect(await filesUnder(join(mountPoint, 'tmp'))).toEqual([]);
  });

  it('refuses a chunk that does not fit, drops the partial upload, and the session then reads as unknown', async () => {
    const before = await free();
    const start = await v2(wharf, 'tiny/chunked/blobs/uploads/', { method: 'POST' });
    expect(start.status).toBe(202);
    const location = start.headers.get('location')!;
    const first = randomBytes(4 * MIB);
    const ok = await fetch(new URL(location, wharf.url), { method: 'PATCH', body: first, headers: { authorization: adminAuth, 'content-range': `0-${first.length - 1}` } });
    expect(ok.status, await described(ok)).toBe(202);
    const rest = randomBytes(30 * MIB);
    const refused = await fetch(new URL(location, wharf.url), {
      method: 'PATCH', body: rest, signal: AbortSignal.timeout(30_000),
      headers: { authorization: adminAuth, 'content-range': `${first.length}-${first.length + rest.length - 1}` },
    });
    await expectOciError(refused, 507, 'INSUFFICIENT_STORAGE');
    await expectSpaceBack(before);
    const status = await fetch(new URL(location, wharf.url), { headers: { authorization: adminAuth } });
    await expectOciError(status, 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('refuses a manifest when not even its few bytes fit, and takes it once space is back', async () => {
    const image = makeImage('manifest on a full disk');
    for (const b of [image.config, ...image.layers]) {
      expect((await v2(wharf, `tiny/full/blobs/uploads/?digest=${b.digest}`, { method: 'POST', body: b.bytes })).status).toBe(201);
    }
    // Fill the file system up to the last byte with a file of its own.
    const filler = join(mountPoint, 'filler');
    await writeFile(filler, Buffer.alloc(await free())).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOSPC') throw e; });
    try {
      await expectOciError(await putManifest(wharf, 'tiny/full', '1.0', image.manifest), 507, 'INSUFFICIENT_STORAGE');
      expect((await fetch(`${wharf.url}/service/rest/v1/status`)).status).toBe(200);
      await expectStoredIntact();
    } finally {
      await unlink(filler);
    }
    const res = await putManifest(wharf, 'tiny/full', '1.0', image.manifest);
    expect(res.status, await described(res)).toBe(201);
  });

  it('fails a skopeo push that does not fit with the reason, keeps serving, and accepts a push that fits', async () => {
    const before = await free();
    const random = mulberry32(8);
    const work = await dirs.make('wharf-disk-full-');
    const huge = await seededLayout(join(work, 'huge'), 'v1', random, [30 * MIB]);
    const started = Date.now();
    const failed = await skopeo(['copy', '--retry-times', '0', '--dest-tls-verify=false', '--dest-creds', `admin:${ADMIN_PASSWORD}`, huge.ref, `docker://${wharf.host}/tiny/huge:v1`])
      .then(() => undefined, (e: Error) => e.message);
    expect(failed).toMatch(/507 Insufficient Storage/);
    expect(Date.now() - started).toBeLessThan(60_000);
    await expectSpaceBack(before);
    await expectStoredIntact();

    const small = await seededLayout(join(work, 'small'), 'v1', random, [MIB, MIB]);
    await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `admin:${ADMIN_PASSWORD}`, small.ref, `docker://${wharf.host}/tiny/small:v1`]);
    await skopeo(['copy', '--src-tls-verify=false', `docker://${wharf.host}/tiny/small@${small.digest}`, `oci:${join(work, 'pulled')}:v1`]);
  });
});
