// Bad input: a fast-check battery of more than 10,000 requests per run over manifests, digests, repository
// names, Content-Range, Range, n/last query strings, REST JSON bodies and paths, sent in-process with inject
// (the same Fastify app `wharf serve` listens with), plus raw garbage over real sockets. The server must never
// answer 5xx for bad input, never stop answering, and never write outside its data directory.
import { mkdtempSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder } from '../helpers/integrity.js';
import { makeImage, pushImage, type Image } from '../helpers/registry.js';
import { runSeed } from '../helpers/seeded.js';
import { adminAuth, startWharf, type TestWharf } from '../helpers/wharf.js';

const seed = runSeed();
const parent = mkdtempSync(join(tmpdir(), 'wharf-fuzz-'));
let wharf: TestWharf;
let app: FastifyInstance;
let image: Image;
let uploadPath: string;
let requests = 0;
let refusedByInject = 0;
const statuses = new Map<number, number>();

/** Sends one request; fails on 5xx or a request that breaks the app. Inject refusing to build the request
 *  (a header value no HTTP client could send) does not count. */
async function send(options: InjectOptions): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  let res;
  try {
    res = await app.inject({ ...options, headers: { authorization: adminAuth, ...options.headers } });
  } catch (e) {
    if (/invalid (character|header|http)|ERR_INVALID|ERR_HTTP/i.test(String((e as Error).message ?? e) + ((e as { code?: string }).code ?? ''))) {
      refusedByInject++;
      return { status: 400, body: '', headers: {} };
    }
    throw e;
  }
  requests++;
  statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
  // The one 5xx that is not about the input: names routed to the out-of-box docker-hub proxy meet an upstream
  // that is unreachable here (no internet), which the proxy reports as 503 UNAVAILABLE, as it should.
  const upstreamDown = res.statusCode === 503 && /"code":"UNAVAILABLE"/.test(res.body) && /upstream|auto-blocked|blocked/i.test(res.body);
  if (res.statusCode >= 500 && !upstreamDown) throw new Error(`${options.method} ${options.url} -> ${res.statusCode} ${res.body.slice(0, 500)}`);
  return { status: res.statusCode, body: res.body, headers: res.headers };
}

const run = <Ts extends unknown[]>(property: fc.IAsyncProperty<Ts>, numRuns: number) => fc.assert(property, { numRuns, seed, endOnFailure: true });

// ---- arbitraries ----
const text = (maxLength = 40) => fc.string({ unit: 'binary', maxLength });
const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
const digest = fc.oneof(
  hex.map((h) => `sha256:${h}`),
  hex.map((h) => `sha256:${h.toUpperCase()}`),
  hex.map((h) => `sha512:${h}${h}`),
  text().map((t) => `sha256:${t}`),
  fc.constantFrom('sha256:', ':', '../../etc/passwd', 'sha256:..%2f..%2f', 'sha256:' + '0'.repeat(63), 'sha256:' + '0'.repeat(65)),
  text(),
);
const segment = fc.oneof(
  fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/),
  fc.constantFrom('..', '.', '%2e%2e', '%00', 'docker', 'docker-hosted', 'docker-hub', 'raw-hosted', '_catalog', 'blobs', 'manifests', 'uploads'),
  text(12),
);
const enc = (s: string) => encodeURIComponent(s);
const name = fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => parts.map(enc).join('/'));
const number = fc.oneof(fc.integer(), fc.double().map(String), fc.constantFrom('0', '-1', '1e400', '', 'NaN', '99999999999999999999', '0x10'), text(8));
const method = fc.constantFrom('GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS') as fc.Arbitrary<InjectOptions['method']>;

/** A valid manifest object with one random change: a field set to random JSON or removed. */
const MANIFEST_PATHS = ['schemaVersion', 'mediaType', 'config', 'config.digest', 'config.size', 'config.mediaType', 'layers', 'layers.0',
  'layers.0.digest', 'layers.0.size', 'layers.1.urls', 'manifests', 'manifests.0', 'subject', 'subject.digest', 'annotations', 'artifactType'];
function mutated(valid: Record<string, unknown>, path: string, value: unknown, remove: boolean): Record<string, unknown> {
  const copy = structuredClone(valid);
  const keys = path.split('.');
  let at: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) {
    if (typeof at[k] !== 'object' || at[k] === null) at[k] = {};
    at = at[k] as Record<string, unknown>;
  }
  if (remove) delete at[keys.at(-1)!];
  else at[keys.at(-1)!] = value;
  return copy;
}
const mediaType = fc.oneof(
  fc.constantFrom('application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.docker.distribution.manifest.v1+prettyjws', 'application/json', 'text/plain', ''),
  fc.stringMatching(/^[a-z]{1,10}\/[a-z0-9.+-]{1,30}$/),
);

beforeAll(async () => {
  console.log(`fuzz seed: ${seed} (set RELIABILITY_SEED=${seed} to replay)`);
  wharf = await startWharf({ dataDir: join(parent, 'data') });
  app = wharf.running.apps[0];
  image = await pushImage(wharf, 'docker-hosted/app', '1.0', makeImage('fuzz base'));
  const start = await send({ method: 'POST', url: '/v2/docker-hosted/app/blobs/uploads/' });
  uploadPath = String(start.headers.location);
});

afterAll(async () => {
  await wharf?.stop();
});

describe(`fuzz (seed ${seed})`, { timeout: 180_000 }, () => {
  it('manifests: mutated, wrong media types, random JSON, truncated, huge and deep', async () => {
    const valid = JSON.parse(image.manifest.bytes.toString()) as Record<string, unknown>;
    const body = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...MANIFEST_PATHS), fc.jsonValue({ maxDepth: 3 }), fc.boolean()).map(([p, v, r]) => JSON.stringify(mutated(valid, p, v, r))) },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.nat(image.manifest.size).map((n) => image.manifest.bytes.subarray(0, n).toString()) },
      { weight: 1, arbitrary: fc.nat(200_000).map((n) => `{"schemaVersion":2,"layers":${'['.repeat(n % 5000)}${']'.repeat(n % 5000)},"pad":"${'x'.repeat(n)}"}`) },
    );
    const reference = fc.oneof(fc.constantFrom('v1', 'latest'), digest, text(20));
    await run(fc.asyncProperty(body, mediaType, reference, async (b, type, ref) => {
      await send({ method: 'PUT', url: `/v2/docker-hosted/fuzz/manifests/${enc(ref)}`, payload: b, headers: { 'content-type': type } });
    }), 2500);
  });

  it('digests in blob, manifest, upload and mount URLs', async () => {
    await run(fc.asyncProperty(digest, fc.constantFrom('blob', 'manifest', 'post', 'mount', 'put', 'delete'), async (d, where) => {
      const url = {
        blob: `/v2/docker-hosted/app/blobs/${enc(d)}`, manifest: `/v2/docker-hosted/app/manifests/${enc(d)}`,
        post: `/v2/docker-hosted/app/blobs/uploads/?digest=${enc(d)}`, mount: `/v2/docker-hosted/app/blobs/uploads/?mount=${enc(d)}&from=docker-hosted/app`,
        put: `${uploadPath}?digest=${enc(d)}`, delete: `/v2/docker-hosted/other/blobs/${enc(d)}`,
      }[where];
      const m = ({ blob: 'GET', manifest: 'HEAD', post: 'POST', mount: 'POST', put: 'PUT', delete: 'DELETE' } as const)[where];
      const res = await send({ method: m, url, payload: where === 'post' ? 'some bytes' : undefined });
      // Bytes that do not hash to the digest they claim are refused and never stored under it.
      if (where === 'post' && /^sha256:[0-9a-f]{64}$/.test(d)) {
        expect(res.status, res.body).toBe(400);
        expect(JSON.parse(res.body).errors[0].code).toBe('DIGEST_INVALID');
        expect((await send({ method: 'HEAD', url: `/v2/docker-hosted/app/blobs/${d}` })).status).toBe(404);
      }
      if (where === 'put' && res.status === 404) {
        // a failed PUT may end the session: start another one for the next cases
        uploadPath = String((await send({ method: 'POST', url: '/v2/docker-hosted/app/blobs/uploads/' })).headers.location);
      }
    }), 1500);
  });

  it('repository and image names', async () => {
    await run(fc.asyncProperty(name, fc.constantFrom('tags/list', 'manifests/latest', 'blobs/uploads/', `blobs/${image.config.digest}`, 'referrers/' + image.manifest.digest), method, async (n, tail, m) => {
      await send({ method: m, url: `/v2/${n}/${tail}` });
    }), 1500);
  });

  it('Content-Range of upload chunks', async () => {
    const range = fc.oneof(
      fc.tuple(fc.integer({ min: -5, max: 1 << 20 }), fc.integer({ min: -5, max: 1 << 20 })).map(([a, b]) => `${a}-${b}`),
      fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `bytes ${a}-${b}/${a + b}`),
      text(30),
    );
    await run(fc.asyncProperty(range, fc.uint8Array({ maxLength: 64 }), async (r, bytes) => {
      const res = await send({ method: 'PATCH', url: uploadPath, payload: Buffer.from(bytes), headers: { 'content-range': r, 'content-type': 'application/octet-stream' } });
      if (res.status === 404) uploadPath = String((await send({ method: 'POST', url: '/v2/docker-hosted/app/blobs/uploads/' })).headers.location);
    }), 1000);
  });

  it('Range of blob downloads, and the bytes of every partial answer', async () => {
    const layer = image.layers[0];
    const range = fc.oneof(
      fc.tuple(fc.integer({ min: -3, max: layer.size + 3 }), fc.integer({ min: -3, max: layer.size + 3 })).map(([a, b]) => `bytes=${a}-${b}`),
      fc.integer({ min: 0, max: layer.size + 3 }).map((a) => `bytes=${a}-`),
      fc.integer({ min: 0, max: layer.size + 3 }).map((a) => `bytes=-${a}`),
      fc.constantFrom('bytes=0-1,3-4', 'bytes=', 'bytes=-', 'items=0-1', 'bytes=1e3-2', 'bytes= 0-1'),
      text(30),
    );
    await run(fc.asyncProperty(range, async (r) => {
      const res = await send({ method: 'GET', url: `/v2/docker-hosted/app/blobs/${layer.digest}`, headers: { range: r } });
      expect([200, 206, 416]).toContain(res.status);
      const m = /^bytes (\d+)-(\d+)\/\d+$/.exec(String(res.headers['content-range'] ?? ''));
      if (res.status === 206 && m) expect(res.body).toBe(layer.bytes.subarray(Number(m[1]), Number(m[2]) + 1).toString());
      if (res.status === 200) expect(res.body).toBe(layer.bytes.toString());
    }), 1000);
  });

  it('n and last of tag lists and the catalog', async () => {
    await run(fc.asyncProperty(number, fc.oneof(text(20), fc.constant(undefined)), fc.boolean(), async (n, last, catalog) => {
      const q = `n=${enc(String(n))}${last === undefined ? '' : `&last=${enc(last)}`}`;
      await send({ method: 'GET', url: catalog ? `/v2/_catalog?${q}` : `/v2/docker-hosted/app/tags/list?${q}` });
    }), 1000);
  });

  it('JSON bodies of the REST API: users and roles', async () => {
    const user = { userId: 'u1', firstName: 'A', lastName: 'B', emailAddress: 'a@example.com', password: 'pw-123456', status: 'active', roles: ['nx-anonymous'] };
    const role = { id: 'r1', name: 'R', description: 'd', privileges: ['nx-repository-view-docker-*-browse'], roles: [] };
    const body = (valid: Record<string, unknown>) => fc.oneof(
      { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...Object.keys(valid), 'extra'), fc.jsonValue({ maxDepth: 2 }), fc.boolean()).map(([k, v, r]) => JSON.stringify(mutated(valid, k, v, r))) },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: text(60) },
    );
    const target = fc.oneof(
      body(user).map((b) => ['POST', '/service/rest/v1/security/users', b] as const),
      body(role).map((b) => ['POST', '/service/rest/v1/security/roles', b] as const),
      fc.tuple(segment, body(user)).map(([id, b]) => ['PUT', `/service/rest/v1/security/users/${enc(id)}`, b] as const),
      fc.tuple(segment, body(role)).map(([id, b]) => ['PUT', `/service/rest/v1/security/roles/${enc(id)}`, b] as const),
    );
    await run(fc.asyncProperty(target, fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', ''), async ([m, url, b], type) => {
      await send({ method: m, url, payload: b, headers: type ? { 'content-type': type } : {} });
    }), 1500);
  });

  it('paths under /v2, /repository and /service/rest with every method', async () => {
    const path = fc.array(fc.oneof(segment, text(10).map(enc)), { maxLength: 8 }).map((p) => p.join('/'));
    const prefix = fc.constantFrom('/v2/', '/repository/', '/repository/raw-hosted/', '/repository/docker-hosted/', '/service/rest/', '/service/rest/v1/', '/service/rest/v1/security/', '/');
    await run(fc.asyncProperty(method, prefix, path, fc.option(text(20)), async (m, pre, p, q) => {
      await send({ method: m, url: pre + p + (q === null ? '' : `?${enc(q)}=${enc(q)}`), payload: m === 'PUT' || m === 'POST' || m === 'PATCH' ? 'fuzz' : undefined });
    }), 1500);
  });

  it('raw garbage over real sockets: an HTTP answer below 500, or a closed connection', async () => {
    const line = fc.oneof(
      fc.tuple(fc.constantFrom('GET', 'PUT', 'POST', 'BREW', ''), text(30), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', '')).map(([m, p, v]) => `${m} /v2/${p} ${v}`),
      text(60),
    );
    const header = fc.oneof(fc.tuple(text(15), text(30)).map(([k, v]) => `${k}: ${v}`), text(40),
      fc.constantFrom('Content-Length: -1', 'Content-Length: 1', 'Transfer-Encoding: chunked', 'Content-Length: 5\r\nContent-Length: 6', 'Host:'));
    const samples = fc.sample(fc.tuple(line, fc.array(header, { maxLength: 5 }), text(20)), { numRuns: 300, seed });
    const answer = (raw: string) => new Promise<string>((resolve) => {
      const socket = connect(wharf.port, '127.0.0.1');
      let got = '';
      socket.setTimeout(5_000, () => socket.destroy());
      socket.on('data', (d) => { got += d.toString('latin1'); if (/\r\n\r\n/.test(got)) socket.destroy(); });
      socket.on('error', () => {});
      socket.on('close', () => resolve(got));
      socket.end(raw, 'latin1');
    });
    let answered = 0;
    for (let i = 0; i < samples.length; i += 20) {
      const replies = await Promise.all(samples.slice(i, i + 20).map(([l, hs, body]) => answer(`${String(l)}\r\n${['Host: 127.0.0.1', ...hs].join('\r\n')}\r\n\r\n${String(body)}`)));
      for (const reply of replies) {
        if (!reply) continue;
        answered++;
        expect(reply, reply.slice(0, 300)).toMatch(/^HTTP\/1\.[01] [1-4]\d\d /);
      }
    }
    requests += samples.length;
    expect(answered).toBeGreaterThan(0);
  });

  it(`kept answering, wrote only inside its data directory, and handled more than 10,000 cases`, async () => {
    expect((await fetch(`${wharf.url}/service/rest/v1/status`)).status).toBe(200);
    expect(readdirSync(parent)).toEqual(['data']);
    const files = await filesUnder(join(parent, 'data'));
    expect(files.length).toBeGreaterThan(0);
    console.log(`fuzz: ${requests} requests (${refusedByInject} not sendable), statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}, ${files.length} files in the data directory`);
    expect(requests).toBeGreaterThanOrEqual(10_000);
  });
});
