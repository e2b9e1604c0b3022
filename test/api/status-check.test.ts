// GET /v1/status/check: every system check in Nexus's shape, against a server with a proxy of a real registry
// (Distribution) and a proxy whose upstream is a closed port. The failing upstream is reported, then auto-blocked
// without being asked again; the healthy one is probed once a minute at most (counted in Distribution's log).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskSpaceCheck } from '../../src/api/system-checks.js';
import { startDistribution, type Distribution } from '../helpers/distribution.js';
import { freePort, startWharf, type TestWharf } from '../helpers/wharf.js';
import { basic, restClient } from './client.js';

let wharf: TestWharf;
let upstream: Distribution;
let api: ReturnType<typeof restClient>;
let closedPort: number;
/** Distribution's GET /v2/ count before the first check (the helper asks it while starting). */
let probesBefore: number;

const proxy = (name: string, remoteUrl: string) =>
  `  - { name: ${name}, format: docker, type: proxy, storage: { blobStoreName: default }, proxy: { remoteUrl: "${remoteUrl}" }, httpClient: { connection: { retries: 0 } } }`;

beforeAll(async () => {
  upstream = await startDistribution();
  closedPort = await freePort(); // nothing listens there
  wharf = await startWharf({
    config: ['repositories:', proxy('good-proxy', upstream.url), proxy('dead-proxy', `http://127.0.0.1:${closedPort}`),
      '  - { name: local, format: docker, type: hosted, storage: { blobStoreName: default } }'].join('\n'),
  });
  api = restClient(wharf);
  probesBefore = upstream.count('GET', '/v2/');
});

afterAll(async () => {
  await wharf?.stop();
  await upstream?.remove();
});

describe('GET /status/check', () => {
  it('reports every check with its timing, and a proxy whose upstream is down as unhealthy', async () => {
    const res = await api('/status/check');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual([
      'Blob Stores Quota', 'Blob Stores Ready', 'Blob Stores Writable', 'Database', 'Disk Space', 'Proxy Repositories', 'Scheduler',
    ]);
    for (const check of Object.values<{ time: number; duration: number }>(res.body)) {
      expect(check.time).toBeGreaterThan(Date.now() - 60_000);
      expect(check.duration).toBeGreaterThanOrEqual(0);
    }
    expect(res.body.Database).toMatchObject({ healthy: true, message: expect.stringMatching(/^the database answered in [\d.]+ ms$/) });
    expect(res.body.Database.details.engine).toMatch(/^(sqlite|postgresql)$/);
    expect(res.body['Disk Space']).toMatchObject({ healthy: true, details: { 'data directory': expect.stringMatching(/GB free$/) } });
    expect(res.body['Blob Stores Writable']).toMatchObject({ healthy: true, message: 'every blob store accepts writes' });
    expect(res.body.Scheduler).toMatchObject({ healthy: true });

    const proxies = res.body['Proxy Repositories'];
    expect(proxies).toMatchObject({ healthy: false, message: 'upstream unreachable: dead-proxy' });
    expect(proxies.details['good-proxy']).toBe('GET /v2/ answered 200');
    expect(proxies.details['dead-proxy']).toMatch(/ECONNREFUSED|refused/);
    expect(proxies.details).not.toHaveProperty('local');
    expect(upstream.count('GET', '/v2/')).toBe(probesBefore + 1);
  });

  it('does not ask upstreams again: a known-down one is auto-blocked, a healthy one answered recently', async () => {
    const res = await api('/status/check');
    const proxies = res.body['Proxy Repositories'];
    expect(proxies.healthy).toBe(false);
    expect(proxies.details['dead-proxy']).toMatch(/^auto-blocked until \d{4}-.*Z: /);
    expect(proxies.details['good-proxy']).toBe('GET /v2/ answered 200');
    expect(upstream.count('GET', '/v2/')).toBe(probesBefore + 1);
    // The repository's own status shows the same state.
    expect((await api('/repositories/dead-proxy/status')).body.upstream.status).toBe('auto-blocked');
  });

  it('reports low disk space under the threshold', async () => {
    const result = await diskSpaceCheck(wharf.running.wharf, Number.MAX_SAFE_INTEGER);
    expect(result.healthy).toBe(false);
    expect(result.message).toMatch(/^less than .* GB free: data directory/);
  });

  it('needs nx-healthcheck-read', async () => {
    const user = { userId: 'no-health', firstName: 'N', lastName: 'H', emailAddress: 'n@h.example', password: 'pw-no-health', status: 'active', roles: [] };
    expect((await api('/security/users', { method: 'POST', body: user })).status).toBe(200);
    const denied = await api('/status/check', { auth: basic('no-health', 'pw-no-health') });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toMatch(/healthcheck/);
  });
});
