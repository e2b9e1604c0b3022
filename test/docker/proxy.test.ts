// Docker proxy repositories against a real upstream: Debian's Distribution on loopback, open and behind
// htpasswd basic auth. Pulls with skopeo and podman; upstream outages; one upstream request for many misses.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution, type Distribution } from '../helpers/distribution.js';
import { buildImage, inspectRaw, Podman, skopeo, TempDirs, type BuiltImage } from '../helpers/images.js';
import { expectOciError, v2 } from '../helpers/registry.js';
import { ADMIN_PASSWORD, startWharf, type TestWharf } from '../helpers/wharf.js';

const dirs = new TempDirs();
let open: Distribution;
let locked: Distribution;
let wharf: TestWharf;
let image: BuiltImage;
let other: BuiltImage;

/** Uploads bytes to Distribution as one blob (POST, then PUT ?digest=). */
async function uploadBlob(d: Distribution, name: string, bytes: Buffer): Promise<string> {
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const start = await fetch(`${d.url}/v2/${name}/blobs/uploads/`, { method: 'POST' });
  expect(start.status).toBe(202);
  const location = new URL(start.headers.get('location')!, d.url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', body: new Uint8Array(bytes), headers: { 'content-type': 'application/octet-stream' } });
  expect(put.status).toBe(201);
  return digest;
}

beforeAll(async () => {
  [open, locked] = await Promise.all([startDistribution(), startDistribution({ user: 'up', password: 'up-secret' })]);
  const layout = `${await dirs.make()}/layout`;
  image = await buildImage(layout, 'app', { layers: [{ path: '/a', size: 300_000 }, { path: '/b', size: 200_000 }], cmd: ['/a'] });
  other = await buildImage(layout, 'other', { layers: [{ path: '/c', size: 100_000 }] });
  await skopeo(['copy', '--dest-tls-verify=false', image.ref, `docker://${open.host}/team/app:1.0`]);
  await skopeo(['copy', '--dest-tls-verify=false', other.ref, `docker://${open.host}/team/other:1.0`]);
  await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', 'up:up-secret', image.ref, `docker://${locked.host}/team/app:1.0`]);
  wharf = await startWharf({
    config: `
repositories:
  - { name: hub, format: docker, type: proxy, proxy: { remoteUrl: "${open.url}", metadataMaxAge: 0 } }
  - name: locked
    format: docker
    type: proxy
    proxy: { remoteUrl: "${locked.url}" }
    httpClient: { authentication: { type: username, username: up, password: "\${UPSTREAM_PW}" } }
  - { name: nocreds, format: docker, type: proxy, proxy: { remoteUrl: "${locked.url}" } }
`,
    env: { UPSTREAM_PW: 'up-secret' },
  });
});

afterAll(async () => {
  await wharf?.stop();
  await Promise.all([open?.remove(), locked?.remove()]);
  await dirs.removeAll();
});

describe('docker proxy', () => {
  it('pulls through the proxy with skopeo and podman, digests equal to the upstream', async () => {
    const upstream = await inspectRaw(`docker://${open.host}/team/app:1.0`);
    const viaProxy = await inspectRaw(`docker://${wharf.host}/hub/team/app:1.0`);
    expect(viaProxy.digest).toBe(upstream.digest);
    expect(viaProxy.digest).toBe(image.digest);
    const out = await dirs.make();
    await skopeo(['copy', '--src-tls-verify=false', `docker://${wharf.host}/hub/team/app:1.0`, `oci:${out}:pulled`]);
    const podman = await Podman.create(dirs);
    await podman.run(['pull', '--tls-verify=false', `${wharf.host}/hub/team/app:1.0`]);
    const pulled = await podman.inspect(`${wharf.host}/hub/team/app:1.0`);
    expect(pulled.Digest).toBe(image.digest);
  });

  it('authenticates to an htpasswd upstream with the configured credentials, and fails clearly without', async () => {
    expect((await inspectRaw(`docker://${wharf.host}/locked/team/app:1.0`)).digest).toBe(image.digest);
    const res = await v2(wharf, 'nocreds/team/app/manifests/1.0', { auth: false });
    await expectOciError(res, 404, 'MANIFEST_UNKNOWN');
  });

  it('does the bearer token dance with a Wharf upstream that requires login, and reuses its token', async () => {
    const upstream = await startWharf({ config: 'security: { anonymous: { enabled: false } }\n', env: { WHARF_LOG_LEVEL: 'debug' } }); // successful requests log at debug
    const proxy = await startWharf({
      config: `
repositories:
  - name: wharf-up
    format: docker
    type: proxy
    proxy: { remoteUrl: "${upstream.url}", metadataMaxAge: 0 }
    httpClient: { authentication: { type: username, username: admin, password: "${ADMIN_PASSWORD}" } }
`,
    });
    try {
      await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `admin:${ADMIN_PASSWORD}`, image.ref, `docker://${upstream.host}/team/app:2.0`]);
      // Count the token requests the upstream answered, from its request log.
      const tokenRequests = () => readFileSync(join(upstream.dataDir, 'log', 'wharf.log'), 'utf8').split('\n')
        .filter((l) => l.includes('"url":"/v2/token')).length;
      expect((await inspectRaw(`docker://${proxy.host}/wharf-up/team/app:2.0`)).digest).toBe(image.digest);
      const out = await dirs.make();
      await skopeo(['copy', '--src-tls-verify=false', `docker://${proxy.host}/wharf-up/team/app:2.0`, `oci:${out}:pulled`]);
      await new Promise((r) => setTimeout(r, 300)); // the log is written asynchronously
      const tokens = tokenRequests();
      expect(tokens).toBeGreaterThan(0);
      // metadataMaxAge 0: each request revalidates the tag upstream, with the cached token.
      for (let i = 0; i < 3; i++) expect((await v2(proxy, 'wharf-up/team/app/manifests/2.0', { auth: false })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      expect(tokenRequests()).toBe(tokens);
      const log = await (await fetch(`${proxy.url}/service/rest/v1/repositories/wharf-up/status`)).json();
      expect(log.upstream.status).toBe('ready');
    } finally {
      await proxy.stop();
      await upstream.stop();
    }
  });

  it('revalidates a tag with HEAD instead of downloading the manifest again', async () => {
    const gets = () => open.count('GET', '/v2/team/other/manifests/1.0');
    const heads = () => open.count('HEAD', '/v2/team/other/manifests/1.0');
    const first = await v2(wharf, 'hub/team/other/manifests/1.0', { auth: false });
    expect(first.status).toBe(200);
    const [g, h] = [gets(), heads()];
    for (let i = 0; i < 3; i++) expect((await v2(wharf, 'hub/team/other/manifests/1.0', { auth: false })).status).toBe(200);
    expect(gets()).toBe(g); // metadataMaxAge 0: every request revalidates, none downloads again
    expect(heads()).toBe(h + 3);
  });

  it('remembers upstream 404s in the negative cache', async () => {
    const missing = () => open.count('GET', '/v2/team/nothing/manifests/1.0') + open.count('HEAD', '/v2/team/nothing/manifests/1.0');
    for (let i = 0; i < 3; i++) await expectOciError(await v2(wharf, 'hub/team/nothing/manifests/1.0', { auth: false }), 404, 'MANIFEST_UNKNOWN');
    expect(missing()).toBe(1);
  });

  it('makes one upstream request for 50 concurrent pulls of one uncached 100 MB blob', async () => {
    const bytes = randomBytes(100 * 1024 * 1024);
    const digest = await uploadBlob(open, 'team/big', bytes);
    const blobRequests = () => open.count('GET', `/v2/team/big/blobs/${digest}`) + open.count('HEAD', `/v2/team/big/blobs/${digest}`);
    const before = blobRequests();
    const results = await Promise.all(Array.from({ length: 50 }, async () => {
      const res = await v2(wharf, `hub/team/big/blobs/${digest}`, { auth: false });
      expect(res.status).toBe(200);
      const hash = createHash('sha256');
      for await (const chunk of res.body!) hash.update(chunk);
      return `sha256:${hash.digest('hex')}`;
    }));
    expect(results.every((d) => d === digest)).toBe(true);
    expect(blobRequests() - before).toBe(1);
  });

  it('serves the cache while the upstream is down, fails uncached pulls clearly, and recovers by itself', async () => {
    const warm = await dirs.make();
    await skopeo(['copy', '--src-tls-verify=false', `docker://${wharf.host}/hub/team/app:1.0`, `oci:${warm}:warm`]);
    const cachedDigest = (await inspectRaw(`docker://${wharf.host}/hub/team/app:1.0`)).digest;
    await open.stop();
    try {
      const out = await dirs.make();
      await skopeo(['copy', '--src-tls-verify=false', `docker://${wharf.host}/hub/team/app:1.0`, `oci:${out}:cached`]);
      expect((await inspectRaw(`docker://${wharf.host}/hub/team/app:1.0`)).digest).toBe(cachedDigest);
      const missing = await v2(wharf, 'hub/team/never-pulled/manifests/1.0', { auth: false });
      await expectOciError(missing, 404, 'MANIFEST_UNKNOWN');
      expect((await fetch(`${wharf.url}/service/rest/v1/status`)).status).toBe(200);
      const health = await (await fetch(`${wharf.url}/service/rest/v1/repositories/hub/status`)).json();
      expect(health.upstream).toMatchObject({ status: 'auto-blocked', reason: expect.stringMatching(/ECONNREFUSED/) });
    } finally {
      await open.start();
    }
    // The upstream is auto-blocked for a few seconds after failing; then the proxy tries it again.
    await skopeo(['copy', '--dest-tls-verify=false', other.ref, `docker://${open.host}/team/later:1.0`]);
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await v2(wharf, 'hub/team/later/manifests/1.0', { auth: false })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    expect(status).toBe(200);
  });

  it('refuses pushes with a clear error', async () => {
    const res = await v2(wharf, 'hub/team/app/blobs/uploads/', { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` } });
    const err = await expectOciError(res, 405, 'UNSUPPORTED');
    expect(err.message).toMatch(/proxy/);
  });
});
