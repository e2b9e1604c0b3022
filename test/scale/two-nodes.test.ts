// Scale-out (issue 9): two real `wharf serve` processes share one PostgreSQL database and one blob store (a
// shared directory, and an S3 server), with HAProxy balancing every request round-robin in front. Pushes
// through the balancer spread their upload requests over both nodes; what one node writes, deletes or
// configures is what the other serves; a scheduled task fires once per slot across nodes; a proxy blob asked
// of both nodes at once is downloaded from the upstream once; a node killed during pushes costs clients a
// retry, never a half-written image.
// PostgreSQL runs only: several nodes need a shared database, and SQLite is one process's file. On the
// SQLite pass the suite is skipped (it would be the same test as the single-node ones).
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBalancer, type Balancer } from '../helpers/balancer.js';
import { startDistribution, type Distribution } from '../helpers/distribution.js';
import { layoutDescriptor, skopeo, TempDirs } from '../helpers/images.js';
import { corruptBlobFiles, corruptServed, dockerContent } from '../helpers/integrity.js';
import { createDatabase, onPostgres } from '../helpers/postgres.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { mulberry32, seededLayout, type SeededImage } from '../helpers/seeded.js';
import { spawnWharf, type WharfProcess } from '../helpers/wharf-process.js';
import { ADMIN_PASSWORD, adminAuth } from '../helpers/wharf.js';

const CREDS = `admin:${ADMIN_PASSWORD}`;
const KIB = 1024;

/** Sums wharf_http_requests_total of the given methods on one node. */
async function requestCount(node: WharfProcess, methods: string[]): Promise<number> {
  const text = await fetch(`${node.url}/service/metrics/prometheus`, { headers: { authorization: adminAuth } }).then((r) => r.text());
  let n = 0;
  for (const m of text.matchAll(/^wharf_http_requests_total\{([^}]*)\} (\d+)/gm)) {
    const method = /method="([A-Z]+)"/.exec(m[1])?.[1];
    if (method && methods.includes(method)) n += Number(m[2]);
  }
  return n;
}

async function rest(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}/service/rest/v1${path}`, {
    method, headers: { authorization: adminAuth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function waitFor(what: string, check: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

const variants = [{ store: 'shared directory' }, { store: 'S3' }];

describe.skipIf(!onPostgres).each(variants)('two nodes on one PostgreSQL database and a $store blob store (PostgreSQL runs only)', { timeout: 180_000 }, ({ store }) => {
  const dirs = new TempDirs();
  const random = mulberry32(store.length * 7919);
  let s3: TestS3 | undefined;
  let sharedDir = '';
  let upstream: Distribution;
  let upstreamImage: SeededImage;
  let a: WharfProcess;
  let b: WharfProcess;
  let lb: Balancer;

  beforeAll(async () => {
    const work = await dirs.make('wharf-scale-');
    let blobStore: string;
    if (store === 'S3') {
      s3 = await startS3();
      blobStore = s3.blobStoreYaml('default');
    } else {
      sharedDir = await dirs.make('wharf-shared-blobs-');
      blobStore = `{ name: default, type: file, path: "${sharedDir}" }`;
    }
    upstream = await startDistribution();
    upstreamImage = await seededLayout(join(work, 'upstream'), '1', random, [3 * 1024 * KIB]);
    await skopeo(['copy', '--dest-tls-verify=false', upstreamImage.ref, `docker://${upstream.host}/lib/big:1`]);

    const config = join(work, 'wharf.yaml');
    await writeFile(config, `
blobStores:
  - ${blobStore}
repositories:
  - { name: hosted, format: docker, type: hosted, storage: { blobStoreName: default, writePolicy: allow } }
  - name: upstream
    format: docker
    type: proxy
    storage: { blobStoreName: default }
    proxy: { remoteUrl: "${upstream.url}", contentMaxAge: -1, metadataMaxAge: 1440 }
tasks:
  - { name: cleanup-every-2s, type: repository.cleanup, cron: "*/2 * * * * *" }
`);
    // Both nodes on one database: its URL in each data directory's marker is what spawnWharf and the
    // integrity helpers read.
    const db = await createDatabase(process.env.WHARF_TEST_PG_URL!, 'scale');
    const node = async () => {
      const dataDir = await dirs.make('wharf-node-');
      await writeFile(join(dataDir, '.test-database-url'), db);
      return spawnWharf({ dataDir, env: { WHARF_CONFIG: config } });
    };
    a = await node();
    b = await node();
    await a.start(); // one after the other: the first start migrates and provisions, the second finds it done
    await b.start();
    lb = await startBalancer(await dirs.make('wharf-haproxy-'), [a.port, b.port]);
  });

  afterAll(async () => {
    await lb?.stop();
    await a?.stop();
    await b?.stop();
    await upstream?.remove();
    await s3?.stop();
    await dirs.removeAll();
  });

  /** Pulls `repoImage` from one node into a new layout and returns the manifest digest that arrived. */
  async function pullFrom(node: WharfProcess, repoImage: string): Promise<string> {
    const out = join(await dirs.make(), 'pulled');
    await skopeo(['copy', '--src-tls-verify=false', '--src-creds', CREDS, `docker://${node.host}/${repoImage}`, `oci:${out}:got`]);
    return (await layoutDescriptor(out, 'got')).digest;
  }

  it('takes a skopeo push through the balancer with upload requests on both nodes; each node serves it', async () => {
    const image = await seededLayout(join(await dirs.make(), 'app'), '1', random, [900 * KIB, 600 * KIB, 300 * KIB, 40 * KIB]);
    const writes = ['POST', 'PATCH', 'PUT'];
    const before = [await requestCount(a, writes), await requestCount(b, writes)];
    await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', CREDS, image.ref, `docker://${lb.host}/hosted/app:1`]);
    const served = [await requestCount(a, writes) - before[0], await requestCount(b, writes) - before[1]];
    console.log(`${store}: upload requests per node during the push: ${served.join(' / ')}`);
    expect(served[0]).toBeGreaterThan(0);
    expect(served[1]).toBeGreaterThan(0);
    expect(await pullFrom(a, 'hosted/app:1')).toBe(image.digest);
    expect(await pullFrom(b, 'hosted/app:1')).toBe(image.digest);
  });

  it('continues a chunked upload on whichever node the next chunk reaches', async () => {
    const chunks = [0, 1, 2, 3].map(() => Buffer.from(Array.from({ length: 200 * KIB }, () => Math.floor(random() * 256))));
    const whole = Buffer.concat(chunks);
    const digest = `sha256:${createHash('sha256').update(whole).digest('hex')}`;
    const started = await fetch(`${lb.url}/v2/hosted/chunked/blobs/uploads/`, { method: 'POST', headers: { authorization: adminAuth } });
    expect(started.status).toBe(202);
    let location = new URL(started.headers.get('location')!, lb.url).href;
    let offset = 0;
    for (const chunk of chunks) {
      const res = await fetch(location, {
        method: 'PATCH', body: chunk,
        headers: { authorization: adminAuth, 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + chunk.length - 1}` },
      });
      expect(res.status, await res.text()).toBe(202);
      offset += chunk.length;
      location = new URL(res.headers.get('location')!, lb.url).href;
    }
    const url = new URL(location);
    url.searchParams.set('digest', digest);
    const done = await fetch(url, { method: 'PUT', headers: { authorization: adminAuth }, signal: AbortSignal.timeout(30_000) });
    expect(done.status, await done.text()).toBe(201);
    for (const node of [a, b]) {
      const res = await fetch(`${node.url}/v2/hosted/chunked/blobs/${digest}`, { headers: { authorization: adminAuth } });
      const got = Buffer.from(await res.arrayBuffer());
      expect(got.equals(whole)).toBe(true);
    }
  });

  it('a manifest deleted on one node is gone on the other', async () => {
    const image = await seededLayout(join(await dirs.make(), 'gone'), '1', random, [20 * KIB]);
    await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', CREDS, image.ref, `docker://${a.host}/hosted/gone:1`]);
    const manifest = (node: WharfProcess, ref: string) => fetch(`${node.url}/v2/hosted/gone/manifests/${ref}`, {
      method: 'HEAD', headers: { authorization: adminAuth, accept: 'application/vnd.oci.image.manifest.v1+json' },
    }).then((r) => r.status);
    expect(await manifest(b, '1')).toBe(200);
    const deleted = await fetch(`${a.url}/v2/hosted/gone/manifests/${image.digest}`, { method: 'DELETE', headers: { authorization: adminAuth } });
    expect(deleted.status).toBe(202);
    expect(await manifest(b, image.digest)).toBe(404);
    expect(await manifest(b, '1')).toBe(404);
  });

  it('a repository created through one node is served by the other within seconds', async () => {
    const created = await rest(a.url, 'POST', '/repositories/docker/hosted', {
      name: 'made-on-a', online: true, storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'allow' }, docker: {},
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const ms = await waitFor('repository visible on node B', async () => {
      const res = await fetch(`${b.url}/v2/made-on-a/x/blobs/uploads/`, { method: 'POST', headers: { authorization: adminAuth } });
      if (res.status === 202) await fetch(new URL(res.headers.get('location')!, b.url), { method: 'DELETE', headers: { authorization: adminAuth } });
      return res.status === 202;
    }, 5_000);
    console.log(`${store}: repository made on A served by B after ${ms} ms`);
    expect((await rest(b.url, 'GET', '/repositories/made-on-a')).status).toBe(200);
  });

  it('a role and the anonymous setting changed through one node apply on the other within seconds', async () => {
    const anonymousRead = () => fetch(`${b.url}/v2/hosted/gone/tags/list`).then((r) => r.status);
    expect(await anonymousRead()).not.toBe(401); // anonymous read is on by default
    expect((await rest(a.url, 'PUT', '/security/anonymous', { enabled: false, userId: 'anonymous', realmName: 'NexusAuthorizingRealm' })).status).toBe(200);
    await waitFor('anonymous access off on node B', async () => (await anonymousRead()) === 401, 5_000);
    expect((await rest(a.url, 'PUT', '/security/anonymous', { enabled: true, userId: 'anonymous', realmName: 'NexusAuthorizingRealm' })).status).toBe(200);

    // A user whose role grants nothing yet, then the role gains read on `hosted` through node A.
    expect((await rest(a.url, 'POST', '/security/roles', { id: 'late-reader', name: 'late-reader', privileges: [], roles: [] })).status).toBe(200);
    expect((await rest(a.url, 'POST', '/security/users', {
      userId: 'late', firstName: 'L', lastName: 'R', emailAddress: 'l@example.org', password: 'late-password-1', status: 'active', roles: ['late-reader'],
    })).status).toBe(200);
    const late = { authorization: `Basic ${Buffer.from('late:late-password-1').toString('base64')}` };
    const catalogOnB = async () => ((await (await fetch(`${b.url}/v2/_catalog`, { headers: late })).json()) as { repositories: string[] }).repositories;
    expect((await catalogOnB()).some((n) => n.startsWith('hosted/'))).toBe(false);
    expect((await rest(a.url, 'PUT', '/security/roles/late-reader', {
      id: 'late-reader', name: 'late-reader', privileges: ['nx-repository-view-docker-hosted-browse'], roles: [],
    })).status).toBe(204);
    await waitFor('role change on node B', async () => (await catalogOnB()).some((n) => n.startsWith('hosted/')), 5_000);
  });

  it('runs a scheduled task once per firing, whichever node fires', async () => {
    const task = (await rest(a.url, 'GET', '/tasks')).json.items.find((t: { name: string }) => t.name === 'cleanup-every-2s');
    expect(task).toBeDefined();
    type Run = { trigger: string; node: string; state: string; startedAt: string };
    const history = async () => ((await rest(b.url, 'GET', `/tasks/${task.id}/history`)).json.items as Run[]).filter((r) => r.trigger !== 'manual');
    await waitFor('three scheduled runs', async () => (await history()).filter((r) => r.state !== 'running').length >= 3, 20_000);
    const runs = await history();
    const starts = runs.map((r) => Date.parse(r.startedAt)).sort((x, y) => x - y);
    console.log(`${store}: ${runs.length} scheduled runs on nodes ${[...new Set(runs.map((r) => r.node))].join(', ')}`);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThan(1_000); // one run per 2 s slot
    expect(runs.filter((r) => r.state === 'failed')).toEqual([]);
  });

  it('downloads a proxied blob once for 2 nodes x 25 concurrent clients', async () => {
    const layer = upstreamImage.blobs[1];
    const path = `/v2/lib/big/blobs/${layer}`;
    const before = upstream.count('GET', path);
    const fetchOne = async (node: WharfProcess) => {
      const res = await fetch(`${node.url}/v2/upstream/lib/big/blobs/${layer}`, { headers: { authorization: adminAuth } });
      const bytes = Buffer.from(await res.arrayBuffer());
      return `${res.status} sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => fetchOne(i % 2 ? b : a)));
    expect(new Set(results)).toEqual(new Set([`200 ${layer}`]));
    expect(upstream.count('GET', path) - before).toBe(1);
  });

  it('survives a node killed during pushes: clients retrying through the balancer complete, nothing half-written shows', async () => {
    const images = await Promise.all(Array.from({ length: 8 }, async (_, i) =>
      ({ name: `hosted/killed-${i}`, image: await seededLayout(join(await dirs.make(), `k${i}`), '1', random, [400 * KIB, 200 * KIB, 64 * KIB]) })));
    let finished = 0;
    let first!: () => void;
    const oneDone = new Promise<void>((r) => { first = r; });
    const pushes = images.map((p) => skopeo(['copy', '--retry-times', '3', '--dest-tls-verify=false', '--dest-creds', CREDS, p.image.ref, `docker://${lb.host}/${p.name}:1`], { timeoutMs: 120_000 })
      .then(() => true, (e: Error) => e.message).finally(() => { finished++; first(); }));
    await oneDone; // pushes are under way on both nodes: kill one of them now
    await b.kill9();
    const inFlight = images.length - finished;
    console.log(`${store}: node B killed with ${inFlight} of ${images.length} pushes in flight`);
    expect(inFlight).toBeGreaterThan(0);
    expect(await Promise.all(pushes), a.output()).toEqual(images.map(() => true));
    await b.start();
    for (const p of images) {
      expect(await pullFrom(a, `${p.name}:1`)).toBe(p.image.digest);
      expect(await pullFrom(b, `${p.name}:1`)).toBe(p.image.digest);
    }
    const content = await dockerContent(a.dataDir);
    expect(await corruptServed(a.url, content)).toEqual([]);
    expect(await corruptServed(b.url, content)).toEqual([]);
    if (sharedDir) expect(await corruptBlobFiles(sharedDir)).toEqual([]); // S3: the served bytes above are the check
  });
});
