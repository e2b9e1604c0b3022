// Raw proxy repositories against a static HTTP server on loopback: cold fetch streamed and cached, one upstream
// request for concurrent misses, negative cache, revalidation with If-None-Match when contentMaxAge has passed,
// and an upstream outage: cached files keep serving, uncached ones fail with a clear 502, and it recovers.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { ADMIN, curl, rawConfig, rawUrl, run, StaticUpstream } from './helpers.js';

let t: TestWharf;
const upstream = new StaticUpstream();
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  await upstream.start();
  const client = 'httpClient: { autoBlock: false, connection: { timeout: 10 } }';
  t = await startWharf({
    config: rawConfig([
      // Cached forever: every upstream request is a miss.
      { name: 'mirror', type: 'proxy', extra: `proxy: { remoteUrl: "${upstream.url}/dist/", contentMaxAge: -1 }\n${client}` },
      // Always stale: every request revalidates.
      { name: 'fresh', type: 'proxy', extra: `proxy: { remoteUrl: "${upstream.url}/dist", contentMaxAge: 0 }\n${client}` },
      // Auto-blocks a failing upstream.
      { name: 'blocking', type: 'proxy', extra: `proxy: { remoteUrl: "${upstream.url}/dist" }\nhttpClient: { autoBlock: true }` },
    ]),
  });
});
afterAll(async () => {
  await t?.stop();
  await upstream.stop();
});

/** Waits until the proxy's cache holds `path` (the client may have its bytes a moment before they are stored). */
async function cached(repo: string, path: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const row = await t.running.wharf.db.selectFrom('assets').select('id').where('repository', '=', repo).where('path', '=', path).executeTakeFirst();
    if (row) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${path} never reached the cache of ${repo}`);
}

describe('caching', () => {
  it('fetches a file once, streams it to the client, then serves the cached copy', async () => {
    const body = randomBytes(3 * 1024 * 1024);
    upstream.files.set('/dist/tool/1.0/tool.tar.gz', body);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(rawUrl(t, 'mirror', 'tool/1.0/tool.tar.gz'));
      expect(res.status).toBe(200);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(body));
      // The last bytes of a cold file leave only once the cache holds it (proxy/tee.ts): no wait needed here.
      expect(await t.running.wharf.db.selectFrom('assets').select('sha256').where('repository', '=', 'mirror')
        .where('path', '=', 'tool/1.0/tool.tar.gz').executeTakeFirst()).toEqual({ sha256: sha256(body) });
    }
    expect(upstream.hits.get('/dist/tool/1.0/tool.tar.gz')).toBe(1);
    const asset = await t.running.wharf.db.selectFrom('assets').selectAll().where('repository', '=', 'mirror').where('path', '=', 'tool/1.0/tool.tar.gz').executeTakeFirstOrThrow();
    expect(asset).toMatchObject({ kind: 'raw.file', sha256: sha256(body), size: body.length });
  });

  it('makes one upstream request for concurrent misses of the same file', async () => {
    const body = randomBytes(4 * 1024 * 1024);
    upstream.files.set('/dist/concurrent.bin', body);
    const results = await Promise.all(Array.from({ length: 6 }, async () => Buffer.from(await (await fetch(rawUrl(t, 'mirror', 'concurrent.bin'))).arrayBuffer())));
    for (const r of results) expect(sha256(r)).toBe(sha256(body));
    expect(upstream.hits.get('/dist/concurrent.bin')).toBe(1);
  });

  it('answers HEAD and a Range on a cold file from a complete cached copy', async () => {
    const body = randomBytes(200_000);
    upstream.files.set('/dist/head.bin', body);
    upstream.files.set('/dist/range.bin', body);
    const head = await fetch(rawUrl(t, 'mirror', 'head.bin'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(body.length));
    expect(head.headers.get('etag')).toBe(`"${sha256(body)}"`);
    const range = await fetch(rawUrl(t, 'mirror', 'range.bin'), { headers: { range: 'bytes=100-199' } });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer()).equals(body.subarray(100, 200))).toBe(true);
  });

  it('remembers an upstream 404 (negative cache)', async () => {
    expect((await fetch(rawUrl(t, 'mirror', 'missing.txt'))).status).toBe(404);
    expect((await fetch(rawUrl(t, 'mirror', 'missing.txt'))).status).toBe(404);
    expect(upstream.hits.get('/dist/missing.txt')).toBe(1);
  });

  it('revalidates a stale copy with If-None-Match and follows a change upstream', async () => {
    upstream.files.set('/dist/channel.txt', Buffer.from('stable 1.0\n'));
    expect(await (await fetch(rawUrl(t, 'fresh', 'channel.txt'))).text()).toBe('stable 1.0\n');
    await cached('fresh', 'channel.txt');
    expect(await (await fetch(rawUrl(t, 'fresh', 'channel.txt'))).text()).toBe('stable 1.0\n');
    expect(upstream.conditional).toContain('/dist/channel.txt');
    upstream.files.set('/dist/channel.txt', Buffer.from('stable 1.1\n'));
    expect(await (await fetch(rawUrl(t, 'fresh', 'channel.txt'))).text()).toBe('stable 1.1\n');
  });

  it('is reachable by wget like any web server', async () => {
    upstream.files.set('/dist/readme.txt', Buffer.from('read me\n'));
    expect(await run('wget', ['-q', '-O', '-', rawUrl(t, 'mirror', 'readme.txt')])).toMatchObject({ code: 0, stdout: 'read me\n' });
  });

  it('refuses uploads with a clear message', async () => {
    const res = await curl(['-u', ADMIN, '-X', 'PUT', '--data-binary', 'x', rawUrl(t, 'mirror', 'x.txt')]);
    expect(res.status).toBe(405);
    expect(JSON.parse(res.body).message).toMatch(/proxy of .*upload to a hosted repository/);
  });
});

describe('an upstream outage', () => {
  it('keeps serving cached files, fails uncached ones with 502 naming the cause, and recovers', async () => {
    upstream.files.set('/dist/cached.txt', Buffer.from('cached before the outage\n'));
    upstream.files.set('/dist/later.txt', Buffer.from('fetched after the outage\n'));
    upstream.files.set('/dist/stale.txt', Buffer.from('stale copy\n'));
    expect((await fetch(rawUrl(t, 'mirror', 'cached.txt'))).status).toBe(200);
    expect((await fetch(rawUrl(t, 'fresh', 'stale.txt'))).status).toBe(200);
    await upstream.stop();

    const cached = await curl([rawUrl(t, 'mirror', 'cached.txt')]);
    expect(cached).toMatchObject({ status: 200, body: 'cached before the outage\n' });
    // Stale (contentMaxAge 0) and unable to revalidate: the stale copy serves.
    expect(await curl([rawUrl(t, 'fresh', 'stale.txt')])).toMatchObject({ status: 200, body: 'stale copy\n' });
    const uncached = await curl([rawUrl(t, 'mirror', 'later.txt')]);
    expect(uncached.status).toBe(502);
    expect(JSON.parse(uncached.body).message).toMatch(/later\.txt is not cached in mirror and upstream http:\/\/127\.0\.0\.1:\d+\/dist failed/);
    expect((await run('wget', ['-q', '-O', '-', rawUrl(t, 'mirror', 'later.txt')])).code).toBe(8);

    await upstream.start();
    expect(await curl([rawUrl(t, 'mirror', 'later.txt')])).toMatchObject({ status: 200, body: 'fetched after the outage\n' });
  });

  it('auto-blocks a failing upstream (status says so) and serves the cache meanwhile', async () => {
    upstream.files.set('/dist/blocked.txt', Buffer.from('kept\n'));
    expect((await fetch(rawUrl(t, 'blocking', 'blocked.txt'))).status).toBe(200);
    await upstream.stop();
    try {
      expect((await fetch(rawUrl(t, 'blocking', 'never.txt'))).status).toBe(502);
      const status = await (await fetch(`${t.url}/service/rest/v1/repositories/blocking/status`)).json() as { upstream: { status: string } };
      expect(status.upstream.status).toBe('auto-blocked');
      const blocked = await fetch(rawUrl(t, 'blocking', 'also-never.txt'));
      expect(blocked.status).toBe(502);
      expect(((await blocked.json()) as { message: string }).message).toMatch(/auto-blocked/);
      expect(await (await fetch(rawUrl(t, 'blocking', 'blocked.txt'))).text()).toBe('kept\n');
    } finally {
      await upstream.start();
    }
  });
});

describe('stopping', () => {
  // A response still being written when stop() begins used to leave its keep-alive socket open once it
  // ended: close() then waited for the client to drop it (keepAliveTimeout, ~63 s with Node's fetch).
  it('lets a cold download in flight finish, caches it, and stops within seconds', async () => {
    const own = await startWharf({ config: rawConfig([{ name: 'mirror', type: 'proxy', extra: `proxy: { remoteUrl: "${upstream.url}/dist/" }` }]) });
    const body = randomBytes(2 * 1024 * 1024);
    let release!: () => void;
    upstream.files.set('/dist/slow.bin', body);
    upstream.holds.set('/dist/slow.bin', new Promise<void>((r) => { release = r; }));
    const res = await fetch(rawUrl(own, 'mirror', 'slow.bin'));
    expect(res.status).toBe(200);
    const reading = res.arrayBuffer();
    const started = performance.now();
    const stopping = own.stop();
    await new Promise((r) => setTimeout(r, 200)); // stop() has begun while the upstream is half-way
    release();
    expect(sha256(Buffer.from(await reading))).toBe(sha256(body));
    await stopping;
    expect(performance.now() - started).toBeLessThan(5_000);
    // The copy was stored before the client had its last bytes: it is there after a restart.
    const again = await startWharf({ dataDir: own.dataDir });
    try {
      const row = await again.running.wharf.db.selectFrom('assets').select(['sha256', 'size']).where('repository', '=', 'mirror').where('path', '=', 'slow.bin').executeTakeFirst();
      expect(row).toEqual({ sha256: sha256(body), size: body.length });
    } finally {
      await again.stop();
    }
  });
});
