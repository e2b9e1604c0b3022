// Contract tests of /components, /assets and /search against a real server with images pushed over the
// registry API: Nexus's item shapes, paging with continuationToken, every search parameter, the download
// redirect, and deletion through the Docker store (the registry stops serving the tag).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { makeImage, pushImage, pushManifest, v2 } from '../helpers/registry.js';
import { restClient } from './client.js';

let wharf: TestWharf;
let api: ReturnType<typeof restClient>;
const app = makeImage('components-app');
const tool = makeImage('components-tool');

beforeAll(async () => {
  wharf = await startWharf();
  api = restClient(wharf);
  await pushImage(wharf, 'docker-hosted/team/app', '1.0', app);
  await pushManifest(wharf, 'docker-hosted/team/app', '1.1', app.manifest);
  await pushImage(wharf, 'docker-hosted/team/tool', 'v2', tool);
  // 55 tags of one more image: more than one page of components.
  await pushImage(wharf, 'docker-hosted/many', 't0', makeImage('many'));
  for (let i = 1; i < 55; i++) await pushManifest(wharf, 'docker-hosted/many', `t${i}`, makeImage('many').manifest);
});

afterAll(async () => {
  await wharf?.stop();
});

const hex = (digest: string) => digest.slice('sha256:'.length);

describe('GET /components', () => {
  it('pages through a repository\'s components in Nexus\'s shape', async () => {
    const first = await api('/components?repository=docker-hosted');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(50);
    expect(first.body.continuationToken).toEqual(expect.any(String));
    const second = await api(`/components?repository=docker-hosted&continuationToken=${first.body.continuationToken}`);
    expect(second.body.items).toHaveLength(8);
    expect(second.body.continuationToken).toBeNull();
    const all = [...first.body.items, ...second.body.items];
    expect(new Set(all.map((c: { id: string }) => c.id)).size).toBe(58);
    const c = all.find((x: { name: string; version: string }) => x.name === 'team/app' && x.version === '1.0');
    expect(c).toEqual({
      id: expect.any(String), repository: 'docker-hosted', format: 'docker', group: null, name: 'team/app', version: '1.0',
      assets: [{
        id: expect.any(String), path: 'v2/team/app/manifests/1.0', downloadUrl: `${wharf.url}/v2/docker-hosted/team/app/manifests/1.0`,
        repository: 'docker-hosted', format: 'docker', checksum: { sha256: hex(app.manifest.digest) },
        contentType: 'application/vnd.oci.image.manifest.v1+json', lastModified: expect.any(String), lastDownloaded: null,
        uploader: null, uploaderIp: null, fileSize: app.manifest.size, blobCreated: expect.any(String),
      }],
    });
    // The download URL is real: a registry client gets the manifest there.
    const res = await fetch(c.assets[0].downloadUrl, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(res.headers.get('docker-content-digest')).toBe(app.manifest.digest);
    await res.arrayBuffer();
  });

  it('gets one by id; 404 for an unknown id, repository or a bad token', async () => {
    const list = await api('/components?repository=docker-hosted');
    const id = list.body.items[0].id;
    expect((await api(`/components/${id}`)).body).toEqual(list.body.items[0]);
    expect((await api('/components/bm9wZToxMjM0NQ')).status).toBe(404); // "nope:12345"
    expect((await api('/components/!!!')).status).toBe(404);
    expect((await api('/components?repository=missing')).status).toBe(404);
    expect((await api('/components?repository=docker-hosted&continuationToken=bm90LWEtbnVtYmVy')).status).toBe(400);
    expect((await api('/components')).status).toBe(400);
  });
});

describe('GET /assets', () => {
  it('lists tags, manifests and blobs; gets one by id', async () => {
    const first = await api('/assets?repository=docker-hosted');
    expect(first.status).toBe(200);
    const paths = first.body.items.map((a: { path: string }) => a.path);
    expect(paths).toEqual(expect.arrayContaining([`v2/-/blobs/${app.config.digest}`, `v2/team/app/manifests/${app.manifest.digest}`, 'v2/team/app/manifests/1.0']));
    const one = first.body.items[0];
    expect((await api(`/assets/${one.id}`)).body).toEqual(one);
  });
});

describe('GET /search', () => {
  const names = (body: { items: { name: string; version: string }[] }) => body.items.map((c) => `${c.name}:${c.version}`).sort();

  it('by docker.imageName and docker.imageTag, with wildcards', async () => {
    expect(names((await api('/search?docker.imageName=team/app')).body)).toEqual(['team/app:1.0', 'team/app:1.1']);
    expect(names((await api('/search?docker.imageName=team/*&docker.imageTag=v*')).body)).toEqual(['team/tool:v2']);
    expect(names((await api('/search?name=team/app&version=1.1')).body)).toEqual(['team/app:1.1']);
  });

  it('by keyword, repository, format and sha256', async () => {
    expect(names((await api('/search?q=TOOL')).body)).toEqual(['team/tool:v2']);
    expect(names((await api(`/search?sha256=${app.manifest.digest}`)).body)).toEqual(['team/app:1.0', 'team/app:1.1']);
    expect(names((await api(`/search?sha256=${hex(tool.manifest.digest)}&repository=docker-hosted&format=docker`)).body)).toEqual(['team/tool:v2']);
    expect((await api('/search?q=tool&format=raw')).body).toEqual({ items: [], continuationToken: null });
    expect((await api('/search?q=tool&repository=docker-hub')).body.items).toEqual([]);
    expect((await api('/search?sha256=xyz')).status).toBe(400);
  });

  it('search/assets and the download redirect', async () => {
    const assets = await api('/search/assets?docker.imageName=team/tool');
    expect(assets.body.items.map((a: { path: string }) => a.path)).toEqual(['v2/team/tool/manifests/v2']);
    const one = await fetch(`${wharf.url}/service/rest/v1/search/assets/download?docker.imageName=team/tool&docker.imageTag=v2`, { redirect: 'manual' });
    expect(one.status).toBe(302);
    expect(one.headers.get('location')).toBe(`${wharf.url}/v2/docker-hosted/team/tool/manifests/v2`);
    expect((await api('/search/assets/download?docker.imageName=team/app')).status).toBe(400);
    expect((await api('/search/assets/download?docker.imageName=nothing')).status).toBe(404);
  });
});

describe('DELETE', () => {
  it('a component deletes the Docker tag through the store; the registry stops serving it', async () => {
    const found = (await api('/search?docker.imageName=team/app&docker.imageTag=1.1')).body.items[0];
    expect((await api(`/components/${found.id}`, { method: 'DELETE', auth: null })).status).toBe(401);
    expect((await api(`/components/${found.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await v2(wharf, 'docker-hosted/team/app/manifests/1.1')).status).toBe(404);
    expect((await v2(wharf, 'docker-hosted/team/app/manifests/1.0')).status).toBe(200); // same manifest, other tag
    expect((await api(`/components/${found.id}`)).status).toBe(404);
    expect((await api(`/components/${found.id}`, { method: 'DELETE' })).status).toBe(404);
    const audit = async () => {
      await wharf.running.wharf.audit.flush();
      return (await api('/audit?domain=repository.content&type=delete')).body.items;
    };
    expect(await audit()).toEqual(expect.arrayContaining([expect.objectContaining({ object: 'team/app:1.1', outcome: 'success', repository: 'docker-hosted' })]));
  });

  it('an asset: a manifest by digest takes the tags pointing at it', async () => {
    const manifest = (await api(`/search/assets?sha256=${tool.manifest.digest}`)).body.items;
    expect(manifest).toHaveLength(1); // the tag asset; the digest asset has no component
    const all = await api('/assets?repository=docker-hosted');
    const byDigest = all.body.items.find((a: { path: string }) => a.path === `v2/team/tool/manifests/${tool.manifest.digest}`);
    expect((await api(`/assets/${byDigest.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await v2(wharf, 'docker-hosted/team/tool/manifests/v2')).status).toBe(404);
    expect((await api('/search?docker.imageName=team/tool')).body.items).toEqual([]);
  });
});
