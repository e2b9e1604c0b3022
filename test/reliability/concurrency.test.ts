// Concurrency: the same blob pushed by 20 clients at once (monolithic and chunked), manifests pushed while
// their tags are deleted, 20 clients moving one tag. Afterwards nothing is lost or doubled, every request
// finished within its deadline (no deadlock), and the database rows agree with each other and the store.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corruptBlobFiles, corruptServed, dockerContent, filesUnder, sqliteIntegrity } from '../helpers/integrity.js';
import { blob, digestOf, type Blob } from '../helpers/oci.js';
import { describe as described, makeImage, pushBlob, putManifest, v2, type CallOptions } from '../helpers/registry.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { onPostgres, queryTestDatabase } from '../helpers/postgres.js';

let wharf: TestWharf;
const dbFile = () => join(wharf.dataDir, 'db', 'wharf.sqlite');

/** Every request of this file must answer within 30 s: a hang fails the test instead of timing it out. */
const call = (path: string, options: CallOptions = {}) => v2(wharf, path, { signal: AbortSignal.timeout(30_000), ...options });

/** A query on the server's database (SQLite file or, on PostgreSQL runs, its PostgreSQL database). */
const query = <T>(sql: string, ...params: unknown[]): Promise<T[]> => queryTestDatabase<T>(wharf.dataDir, sql, ...params);

async function chunkedPush(name: string, b: Blob, chunks: number): Promise<number> {
  const start = await call(`${name}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) return start.status;
  let location = start.headers.get('location')!;
  const size = Math.ceil(b.size / chunks);
  for (let at = 0; at < b.size; at += size) {
    const part = b.bytes.subarray(at, at + size);
    const url = new URL(location, wharf.url);
    const res = await call(url.pathname.slice(4) + url.search, { method: 'PATCH', body: part, headers: { 'content-range': `${at}-${at + part.length - 1}` } });
    if (res.status !== 202) return res.status;
    location = res.headers.get('location')!;
  }
  const url = new URL(location, wharf.url);
  url.searchParams.set('digest', b.digest);
  return (await call(url.pathname.slice(4) + url.search, { method: 'PUT' })).status;
}

beforeAll(async () => {
  wharf = await startWharf();
});

afterAll(async () => {
  await wharf?.stop();
});

describe('concurrency', { timeout: 120_000 }, () => {
  it('stores a blob pushed by 20 clients at once (monolithic and chunked) exactly once', async () => {
    const b = blob(randomBytes(3 * 1024 * 1024 + 17));
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => {
      const name = `docker-hosted/same/img-${i % 4}`;
      return i % 2 ? chunkedPush(name, b, 3) : call(`${name}/blobs/uploads/?digest=${b.digest}`, { method: 'POST', body: b.bytes }).then((r) => r.status);
    }));
    expect(statuses).toEqual(Array(20).fill(201));
    const got = await call(`docker-hosted/same/img-0/blobs/${b.digest}`);
    expect(digestOf(Buffer.from(await got.arrayBuffer()))).toBe(b.digest);
    // One asset for the repository, one file in the store, no upload left behind.
    expect(await query('SELECT id FROM assets WHERE repository = ? AND path = ?', 'docker-hosted', `v2/-/blobs/${b.digest}`)).toHaveLength(1);
    const files = (await filesUnder(join(wharf.dataDir, 'blobs', 'default', 'content'))).filter((f) => f.path.endsWith(b.digest.slice(7)));
    expect(files).toHaveLength(1);
    expect(await filesUnder(join(wharf.dataDir, 'blobs', 'default', 'uploads'))).toEqual([]);
    expect(await query('SELECT id FROM upload_sessions')).toEqual([]);
  });

  it('keeps tags and manifests consistent while manifests are pushed and their tags deleted at once', async () => {
    const name = 'docker-hosted/churn';
    const images = Array.from({ length: 4 }, (_, i) => makeImage(`churn-${i}`));
    for (const image of images) for (const b of [image.config, ...image.layers]) await pushBlob(wharf, name, b);
    const tags = ['a', 'b', 'c'];
    const ops: Promise<number>[] = [];
    for (let round = 0; round < 15; round++) {
      for (const [t, tag] of tags.entries()) {
        const image = images[(round + t) % images.length];
        ops.push(putManifest(wharf, name, tag, image.manifest).then((r) => r.status));
        ops.push(call(`${name}/manifests/${tag}`, { method: 'DELETE' }).then((r) => r.status));
      }
    }
    const statuses = await Promise.all(ops);
    // A PUT always succeeds; a DELETE finds the tag or finds it already gone.
    statuses.forEach((s, i) => expect(i % 2 ? [202, 404] : [201]).toContain(s));
    // Whatever tags survive point at manifests the repository holds, and serve them.
    for (const tag of tags) {
      const res = await call(`${name}/manifests/${tag}`);
      if (res.status === 404) continue;
      expect(res.status, await described(res)).toBe(200);
      const digest = digestOf(Buffer.from(await res.arrayBuffer()));
      expect(images.map((i) => i.manifest.digest)).toContain(digest);
      expect(res.headers.get('docker-content-digest')).toBe(digest);
    }
    const dangling = await query(`SELECT t.path FROM assets t WHERE t.repository = ? AND t.kind = 'docker.tag' AND NOT EXISTS
      (SELECT 1 FROM assets m WHERE m.repository = t.repository AND m.kind = 'docker.manifest' AND m.name = t.name AND m.sha256 = t.sha256)`, 'docker-hosted');
    expect(dangling).toEqual([]);
    const doubled = await query('SELECT repository, path, count(*) AS n FROM assets GROUP BY repository, path HAVING count(*) > 1');
    expect(doubled).toEqual([]);
    const emptyComponents = await query('SELECT c.id FROM components c WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.component_id = c.id)');
    expect(emptyComponents).toEqual([]);
  });

  it('ends a race of 20 clients moving one tag with the tag on one of their manifests, listed once', async () => {
    const name = 'docker-hosted/moves';
    const images = Array.from({ length: 20 }, (_, i) => makeImage(`move-${i}`));
    await Promise.all(images.map(async (image) => { for (const b of [image.config, ...image.layers]) await pushBlob(wharf, name, b); }));
    const statuses = await Promise.all(images.map((image) => putManifest(wharf, name, 'latest', image.manifest).then((r) => r.status)));
    expect(statuses).toEqual(Array(20).fill(201));
    const res = await call(`${name}/manifests/latest`);
    expect(images.map((i) => i.manifest.digest)).toContain(digestOf(Buffer.from(await res.arrayBuffer())));
    const list = await (await call(`${name}/tags/list`)).json() as { tags: string[] };
    expect(list.tags).toEqual(['latest']);
    expect(await query(`SELECT id FROM assets WHERE repository = 'docker-hosted' AND path = ?`, `v2/${name.slice(14)}/manifests/latest`)).toHaveLength(1);
    expect(await query(`SELECT id FROM components WHERE repository = 'docker-hosted' AND name = ? AND version = 'latest'`, name.slice(14))).toHaveLength(1);
    // every manifest stays reachable by digest
    for (const image of images) expect((await call(`${name}/manifests/${image.manifest.digest}`, { method: 'HEAD' })).status).toBe(200);
  });

  // GC marks unreferenced blobs while pushes reference them again (src/tasks/types/repository-docker-gc.ts is being
  // written alongside this suite); the race to cover is a layer uploaded, then GC, then the manifest that uses it.
  it.todo('runs Docker GC while pushes are in flight without losing a blob a new manifest references');

  it('leaves a database that passes the integrity check and serves only bytes matching their digests', async () => {
    if (!onPostgres) expect(sqliteIntegrity(dbFile())).toBe('ok'); // a SQLite file check; PostgreSQL's storage is the server's
    expect(await corruptServed(wharf.url, await dockerContent(wharf.dataDir))).toEqual([]);
    expect(await corruptBlobFiles(join(wharf.dataDir, 'blobs', 'default'))).toEqual([]);
  });
});
