// Concurrency: the same blob pushed by 20 clients at once (monolithic and chunked), manifests pushed while
// their tags are deleted, 20 clients moving one tag. Afterwards nothing is lost or doubled, every request
// finished within its deadline (no deadlock), and the database rows agree with each other and the store.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corruptBlobFiles, corruptServed, dockerContent, filesUnder, sqliteIntegrity } from '../helpers/integrity.js';
import { blob, digestOf, imageManifest, type Blob } from '../helpers/oci.js';
import { describe as described, makeImage, pushBlob, putManifest, v2, type CallOptions } from '../helpers/registry.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { onPostgres, queryTestDatabase } from '../helpers/postgres.js';
import { taskTypes } from '../../src/tasks/types/index.js';

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

  // The races of online GC (docs/decisions/online-gc.md): a layer uploaded or HEAD-checked, then GC, then the
  // manifest that uses it; and bytes marked (or being deleted by compaction) that a new push re-uses. GC runs
  // with no grace period, the harshest setting: a manifest PUT may then be refused (MANIFEST_BLOB_UNKNOWN) and
  // the client pushes again, but an acknowledged manifest must never lose a blob.
  it('runs GC and compaction in a loop while images sharing layers are pushed, losing nothing acknowledged', async () => {
    const name = 'docker-hosted/gc-race';
    const shared = Array.from({ length: 3 }, () => blob(randomBytes(150_000)));
    const images = Array.from({ length: 40 }, (_, i) => {
      const config = blob(JSON.stringify({ architecture: 'amd64', os: 'linux', gcRace: i }));
      const layers = [shared[i % 3], shared[(i + 1) % 3], blob(randomBytes(20_000 + i))];
      return { tag: `v${i}`, config, layers, manifest: imageManifest(config, layers) };
    });
    // Garbage the pushes will re-use: an image over the shared layers whose tag is gone.
    const old = images[0];
    for (const b of [old.config, ...old.layers]) await pushBlob(wharf, name, b);
    expect((await putManifest(wharf, name, 'old', old.manifest)).status).toBe(201);
    expect((await call(`${name}/manifests/old`, { method: 'DELETE' })).status).toBe(202);

    const running = wharf.running.wharf;
    const task = (type: string, properties: Record<string, unknown>) =>
      taskTypes[type].run({ wharf: running, properties, log: () => {}, signal: new AbortController().signal });
    const ROUNDS = 6;
    let pushing = true;
    let gcRounds = 0;
    let gcWork = 0;
    const collector = (async () => {
      while (pushing) {
        const gc = await task('repository.docker.gc', { repositoryName: 'docker-hosted', graceMinutes: 0 });
        if (!/^removed 0 manifests, 0 blobs; marked 0 /.test(gc)) gcWork++;
        await task('blobstore.compact', { blobStoreName: 'default' });
        gcRounds++;
      }
    })();

    // As a client pushes: HEAD each blob, upload the missing ones, PUT the manifest; start again when refused.
    type Image = typeof images[number];
    const acknowledged = new Map<string, Image>(); // tag -> image
    const untagged = new Set<string>();
    let refusals = 0;
    const pushOne = async (image: Image, tag: string) => {
      for (let attempt = 0; attempt < 20 && !acknowledged.has(tag); attempt++) {
        for (const b of [image.config, ...image.layers]) {
          if ((await call(`${name}/blobs/${b.digest}`, { method: 'HEAD' })).status === 200) continue;
          const up = await call(`${name}/blobs/uploads/?digest=${b.digest}`, { method: 'POST', body: b.bytes });
          expect(up.status, await described(up)).toBe(201);
        }
        const res = await putManifest(wharf, name, tag, image.manifest);
        if (res.status === 201) return void acknowledged.set(tag, image);
        const body = await res.text();
        expect(res.status, body).toBe(400);
        expect(body).toMatch(/MANIFEST_BLOB_UNKNOWN|BLOB_UNKNOWN/);
        refusals++;
      }
    };
    // Four clients push every image, then go on pushing known images under new tags (HEAD finds their blobs,
    // which GC may be collecting meanwhile) until GC has run ROUNDS times during the pushes.
    const queue = images.slice(1);
    const tried: [Image, string][] = [];
    await Promise.all(Array.from({ length: 4 }, async (_, worker) => {
      for (let n = 0; queue.length || gcRounds < ROUNDS; n++) {
        const next = queue.shift();
        const image = next ?? images[1 + ((worker * 7 + n * 5) % (images.length - 1))];
        const tag = next ? next.tag : `again-${worker}-${n}`;
        tried.push([image, tag]);
        await pushOne(image, tag);
        // Every third push is untagged again right away: more garbage for GC while the others push. Untagging
        // an image that another tag still names leaves nothing to collect, so a throwaway image of its own
        // (a unique config over a shared layer) is pushed and untagged too: GC always has work while pushes go on.
        if (n % 3 === 2 && acknowledged.has(tag)) {
          expect((await call(`${name}/manifests/${tag}`, { method: 'DELETE' })).status).toBe(202);
          untagged.add(tag);
          const config = blob(JSON.stringify({ architecture: 'amd64', os: 'linux', junk: `${worker}-${n}` }));
          await pushBlob(wharf, name, config);
          await pushBlob(wharf, name, shared[n % 3]);
          const junk = await putManifest(wharf, name, `junk-${worker}-${n}`, imageManifest(config, [shared[n % 3]]));
          if (junk.status === 201) expect((await call(`${name}/manifests/junk-${worker}-${n}`, { method: 'DELETE' })).status).toBe(202);
        }
      }
    })).finally(() => { pushing = false; });
    await collector;
    console.log(`GC race: ${tried.length} pushes during ${gcRounds} GC+compact rounds (${gcWork} found garbage); ${refusals} manifest PUT(s) refused and pushed again; ${acknowledged.size} acknowledged`);
    expect(gcWork).toBeGreaterThan(1);

    // With no grace period GC may beat a client to its manifest again and again (that is what the grace period
    // is for), and the client gives up after 20 tries. Once GC stops, each of those goes in: nothing half-done blocks it.
    expect(acknowledged.size).toBeGreaterThan(0);
    for (const [image, tag] of tried.filter(([, tag]) => !acknowledged.has(tag))) await pushOne(image, tag);
    expect(tried.filter(([, tag]) => !acknowledged.has(tag))).toEqual([]);

    // Every acknowledged image that is still tagged pulls with the bytes of its digests.
    for (const [tag, image] of [...acknowledged].filter(([tag]) => !untagged.has(tag))) {
      const m = await call(`${name}/manifests/${tag}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
      expect(m.status, await described(m)).toBe(200);
      expect(digestOf(Buffer.from(await m.arrayBuffer()))).toBe(image.manifest.digest);
      for (const b of [image.config, ...image.layers]) {
        const got = await call(`${name}/blobs/${b.digest}`);
        expect(got.status, `${tag} ${b.digest}`).toBe(200);
        expect(digestOf(Buffer.from(await got.arrayBuffer()))).toBe(b.digest);
      }
    }
    // No manifest references a blob the repository lost, no referenced bytes are marked for deletion.
    const dangling = await query(`SELECT m.path, r.digest FROM asset_refs r JOIN assets m ON m.id = r.asset_id
      WHERE m.repository = 'docker-hosted' AND m.kind = 'docker.manifest' AND r.kind = 'blob' AND NOT EXISTS
      (SELECT 1 FROM assets b WHERE b.repository = m.repository AND b.kind = 'docker.blob' AND 'sha256:' || b.sha256 = r.digest)`);
    expect(dangling).toEqual([]);
    const markedButUsed = await query(`SELECT k.sha256 FROM blob_marks k WHERE EXISTS (SELECT 1 FROM assets a WHERE a.sha256 = k.sha256)`);
    expect(markedButUsed).toEqual([]);
    expect(await corruptServed(wharf.url, (await dockerContent(wharf.dataDir)).filter((c) => c.repository === 'docker-hosted'))).toEqual([]);
  });

  it('leaves a database that passes the integrity check and serves only bytes matching their digests', async () => {
    if (!onPostgres) expect(sqliteIntegrity(dbFile())).toBe('ok'); // a SQLite file check; PostgreSQL's storage is the server's
    expect(await corruptServed(wharf.url, await dockerContent(wharf.dataDir))).toEqual([]);
    expect(await corruptBlobFiles(join(wharf.dataDir, 'blobs', 'default'))).toEqual([]);
  });
});
