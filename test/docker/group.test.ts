// Docker group repositories with real clients: one address for pulls (hosted members and a proxy of a real
// Distribution) and for pushes, routed by tag to the right hosted member, with no re-upload of known layers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution, type Distribution } from '../helpers/distribution.js';
import { buildImage, inspectRaw, Podman, skopeo, TempDirs, writeImageIndex, type BuiltImage } from '../helpers/images.js';
import { v2 } from '../helpers/registry.js';
import { ADMIN_PASSWORD, startWharf, type TestWharf } from '../helpers/wharf.js';

const dirs = new TempDirs();
let upstream: Distribution;
let wharf: TestWharf;
let layout: string;
let app: BuiltImage;
let base: BuiltImage;
const creds = ['--dest-tls-verify=false', '--dest-creds', `admin:${ADMIN_PASSWORD}`];

/** Upload requests (POST/PATCH) the server has answered so far, from its Prometheus metrics. */
async function uploads(): Promise<number> {
  const text = await (await fetch(`${wharf.url}/service/metrics/prometheus`)).text();
  return [...text.matchAll(/^wharf_http_requests_total\{method="(?:POST|PATCH)",[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

async function tags(path: string): Promise<string[]> {
  const res = await v2(wharf, `${path}/tags/list`, { auth: false });
  return res.status === 200 ? ((await res.json()) as { tags: string[] }).tags : [];
}

beforeAll(async () => {
  upstream = await startDistribution();
  layout = `${await dirs.make()}/layout`;
  app = await buildImage(layout, 'app', { layers: [{ path: '/app', size: 250_000 }, { path: '/lib', size: 150_000 }] });
  base = await buildImage(layout, 'base', { layers: [{ path: '/base', size: 200_000 }] });
  await skopeo(['copy', '--dest-tls-verify=false', base.ref, `docker://${upstream.host}/library/base:1.0`]);
  wharf = await startWharf({
    config: `
repositories:
  - { name: releases, format: docker, type: hosted, storage: { writePolicy: allow_once } }
  - { name: latest, format: docker, type: hosted, storage: { writePolicy: allow } }
  - { name: up, format: docker, type: proxy, proxy: { remoteUrl: "${upstream.url}" }, dockerProxy: { indexType: HUB } }
  - name: all
    format: docker
    type: group
    group:
      memberNames: [releases, latest, up]
      writableMember: latest
      writeRoutes: [ { tagPattern: '^v?\\d+\\.\\d+\\.\\d+$', member: releases } ]
docker: { defaultRepository: all }
`,
  });
});

afterAll(async () => {
  await wharf?.stop();
  await upstream?.remove();
  await dirs.removeAll();
});

describe('docker group', () => {
  it('routes a semver tag to the release member and latest to the latest member, and pulls each back', async () => {
    await skopeo(['copy', ...creds, app.ref, `docker://${wharf.host}/team/app:1.2.3`]);
    const before = await uploads();
    await skopeo(['copy', ...creds, app.ref, `docker://${wharf.host}/team/app:latest`]);
    expect(await uploads()).toBe(before); // every layer and the config were already in a member
    expect(await tags('releases/team/app')).toEqual(['1.2.3']);
    expect(await tags('latest/team/app')).toEqual(['latest']);
    expect(await tags('team/app')).toEqual(['1.2.3', 'latest']);
    for (const tag of ['1.2.3', 'latest']) expect((await inspectRaw(`docker://${wharf.host}/team/app:${tag}`)).digest).toBe(app.digest);
    const podman = await Podman.create(dirs);
    await podman.pull(`${wharf.host}/team/app:1.2.3`);
    expect((await podman.inspect(`${wharf.host}/team/app:1.2.3`)).Digest).toBe(app.digest);
  });

  it("applies the receiving member's write policy: a semver tag cannot be moved", async () => {
    const other = await buildImage(layout, 'changed', { layers: [{ path: '/app', size: 1000 }] });
    await expect(skopeo(['copy', ...creds, other.ref, `docker://${wharf.host}/team/app:1.2.3`])).rejects.toThrow(/allow_once/);
    await skopeo(['copy', ...creds, other.ref, `docker://${wharf.host}/team/app:latest`]);
    expect((await inspectRaw(`docker://${wharf.host}/team/app:1.2.3`)).digest).toBe(app.digest);
    expect((await inspectRaw(`docker://${wharf.host}/team/app:latest`)).digest).toBe(other.digest);
  });

  it('pulls from the proxy member (Docker Hub style library/ names) and pushes on top without re-uploading its layers', async () => {
    expect((await inspectRaw(`docker://${wharf.host}/base:1.0`)).digest).toBe(base.digest);
    const out = await dirs.make();
    await skopeo(['copy', '--src-tls-verify=false', `docker://${wharf.host}/library/base:1.0`, `oci:${out}:base`]);
    const before = await uploads();
    await skopeo(['copy', ...creds, base.ref, `docker://${wharf.host}/team/derived:2.0.0`]);
    expect(await uploads()).toBe(before);
    expect(await tags('releases/team/derived')).toEqual(['2.0.0']);
    expect((await inspectRaw(`docker://${wharf.host}/releases/team/derived:2.0.0`)).digest).toBe(base.digest);
  });

  it('routes a multi-platform index with a release tag, bringing its child manifests into the release member', async () => {
    const amd = await buildImage(layout, 'amd', { layers: [{ path: '/x', size: 1000 }], architecture: 'amd64', os: 'linux' });
    const arm = await buildImage(layout, 'arm', { layers: [{ path: '/x', size: 1001 }], architecture: 'arm64', os: 'linux' });
    const index = await writeImageIndex(layout, 'multi', [
      { digest: amd.digest, platform: { architecture: 'amd64', os: 'linux' } },
      { digest: arm.digest, platform: { architecture: 'arm64', os: 'linux' } },
    ]);
    await skopeo(['copy', '--all', ...creds, `oci:${layout}:multi`, `docker://${wharf.host}/team/multi:3.0.0`]);
    expect((await inspectRaw(`docker://${wharf.host}/releases/team/multi:3.0.0`)).digest).toBe(index.digest);
    for (const child of [amd, arm]) {
      expect((await v2(wharf, `releases/team/multi/manifests/${child.digest}`, { auth: false })).status).toBe(200);
    }
  });

  it('refuses deletes through the group and lists merged tags across members', async () => {
    const res = await v2(wharf, `team/app/manifests/latest`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    const page = await v2(wharf, 'team/app/tags/list?n=1', { auth: false });
    expect(((await page.json()) as { tags: string[] }).tags).toEqual(['1.2.3']);
    expect(page.headers.get('link')).toContain('last=1.2.3');
  });
});
