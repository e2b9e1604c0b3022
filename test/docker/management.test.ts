// Deleting content (OCI end-9, end-10): a manifest by digest takes its tags with it, a tag alone leaves
// the manifest, a deleted blob is gone; and the errors for deleting what is not there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob, digestOf, imageManifest } from '../helpers/oci.js';
import { expectOciError, hostedConfig, makeImage, MEDIA, pushBlob, pushImage, pushManifest, putManifest, v2 } from '../helpers/registry.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';

let t: TestWharf;

beforeAll(async () => {
  t = await startWharf({ config: hostedConfig({ hosted: {} }) });
});
afterAll(() => t?.stop());

async function tagsOf(name: string): Promise<string[]> {
  const res = await v2(t, `${name}/tags/list`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { tags: string[] }).tags;
}

async function catalog(): Promise<string[]> {
  return ((await (await v2(t, '_catalog')).json()) as { repositories: string[] }).repositories;
}

describe('deleting manifests', () => {
  it('by digest removes the manifest and every tag pointing at it', async () => {
    const name = 'hosted/del/by-digest';
    const image = await pushImage(t, name, '1.0', makeImage('delete by digest'));
    await pushManifest(t, name, 'latest', image.manifest);
    const keep = await pushImage(t, name, '2.0', makeImage('kept'));

    const res = await v2(t, `${name}/manifests/${image.manifest.digest}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    await expectOciError(await v2(t, `${name}/manifests/${image.manifest.digest}`), 404, 'MANIFEST_UNKNOWN');
    await expectOciError(await v2(t, `${name}/manifests/1.0`), 404, 'MANIFEST_UNKNOWN');
    await expectOciError(await v2(t, `${name}/manifests/latest`), 404, 'MANIFEST_UNKNOWN');
    const head = await v2(t, `${name}/manifests/latest`, { method: 'HEAD' });
    expect(head.status).toBe(404);
    expect(await tagsOf(name)).toEqual(['2.0']);
    expect((await v2(t, `${name}/manifests/2.0`)).headers.get('docker-content-digest')).toBe(keep.manifest.digest);
  });

  it('by digest leaves the same manifest under another image name alone', async () => {
    const image = makeImage('shared between names');
    await pushImage(t, 'hosted/del/one', 'v1', image);
    await pushImage(t, 'hosted/del/two', 'v1', image);
    expect((await v2(t, `hosted/del/one/manifests/${image.manifest.digest}`, { method: 'DELETE' })).status).toBe(202);
    expect((await v2(t, 'hosted/del/two/manifests/v1')).status).toBe(200);
    expect((await v2(t, `hosted/del/two/manifests/${image.manifest.digest}`)).status).toBe(200);
  });

  it('by tag removes only that tag', async () => {
    const name = 'hosted/del/by-tag';
    const image = await pushImage(t, name, '1.0', makeImage('delete by tag'));
    await pushManifest(t, name, 'stable', image.manifest);

    const res = await v2(t, `${name}/manifests/1.0`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    await expectOciError(await v2(t, `${name}/manifests/1.0`), 404, 'MANIFEST_UNKNOWN');
    expect((await v2(t, `${name}/manifests/stable`)).status).toBe(200);
    const byDigest = await v2(t, `${name}/manifests/${image.manifest.digest}`);
    expect(byDigest.status).toBe(200);
    expect(Buffer.from(await byDigest.arrayBuffer())).toEqual(image.manifest.bytes);
    expect(await tagsOf(name)).toEqual(['stable']);
  });

  it('drops an image from the catalog and the tags list once its last manifest is gone', async () => {
    const name = 'hosted/del/gone';
    const image = await pushImage(t, name, 'only', makeImage('only manifest'));
    expect(await catalog()).toContain(name);
    expect((await v2(t, `${name}/manifests/${image.manifest.digest}`, { method: 'DELETE' })).status).toBe(202);
    expect(await catalog()).not.toContain(name);
    await expectOciError(await v2(t, `${name}/tags/list`), 404, 'NAME_UNKNOWN');
  });

  it('removes a deleted referrer from the referrers list', async () => {
    const name = 'hosted/del/refs';
    const subject = await pushImage(t, name, 'v1', makeImage('subject'));
    const referrer = makeImage('referrer', { subject: { mediaType: MEDIA.ociManifest, digest: subject.manifest.digest, size: subject.manifest.size } });
    await pushImage(t, name, referrer.manifest.digest, referrer);
    const list = async () => ((await (await v2(t, `${name}/referrers/${subject.manifest.digest}`)).json()) as { manifests: unknown[] }).manifests;
    expect(await list()).toHaveLength(1);
    expect((await v2(t, `${name}/manifests/${referrer.manifest.digest}`, { method: 'DELETE' })).status).toBe(202);
    expect(await list()).toEqual([]);
  });

  it('accepts the same manifest again after deletion', async () => {
    const name = 'hosted/del/again';
    const image = await pushImage(t, name, '1', makeImage('pushed twice'));
    expect((await v2(t, `${name}/manifests/${image.manifest.digest}`, { method: 'DELETE' })).status).toBe(202);
    await pushManifest(t, name, '1', image.manifest);
    expect((await v2(t, `${name}/manifests/1`)).status).toBe(200);
  });
});

describe('deleting blobs', () => {
  it('removes the blob: GET and HEAD then answer 404 BLOB_UNKNOWN', async () => {
    const name = 'hosted/del/blob';
    const b = blob('a blob to delete');
    await pushBlob(t, name, b);
    const res = await v2(t, `${name}/blobs/${b.digest}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    await expectOciError(await v2(t, `${name}/blobs/${b.digest}`), 404, 'BLOB_UNKNOWN');
    const head = await v2(t, `${name}/blobs/${b.digest}`, { method: 'HEAD' });
    expect(head.status).toBe(404);
    // A manifest can no longer reference it.
    const config = blob('config of a manifest over a deleted layer');
    await pushBlob(t, name, config);
    const res2 = await putManifest(t, name, 'x', imageManifest(config, [b]));
    await expectOciError(res2, 400, 'MANIFEST_BLOB_UNKNOWN');
    // And it can be pushed again.
    await pushBlob(t, name, b);
    expect((await v2(t, `${name}/blobs/${b.digest}`)).status).toBe(200);
  });
});

describe('deleting what is not there', () => {
  const name = 'hosted/del/errors';

  it('answers MANIFEST_UNKNOWN for an unknown or already deleted manifest or tag', async () => {
    const image = await pushImage(t, name, 'v1', makeImage('deleted twice'));
    expect((await v2(t, `${name}/manifests/${image.manifest.digest}`, { method: 'DELETE' })).status).toBe(202);
    await expectOciError(await v2(t, `${name}/manifests/${image.manifest.digest}`, { method: 'DELETE' }), 404, 'MANIFEST_UNKNOWN');
    await expectOciError(await v2(t, `${name}/manifests/v1`, { method: 'DELETE' }), 404, 'MANIFEST_UNKNOWN');
    await expectOciError(await v2(t, `${name}/manifests/${digestOf('never')}`, { method: 'DELETE' }), 404, 'MANIFEST_UNKNOWN');
  });

  it('answers BLOB_UNKNOWN for an unknown or already deleted blob', async () => {
    const b = blob('deleted blob, twice');
    await pushBlob(t, name, b);
    expect((await v2(t, `${name}/blobs/${b.digest}`, { method: 'DELETE' })).status).toBe(202);
    await expectOciError(await v2(t, `${name}/blobs/${b.digest}`, { method: 'DELETE' }), 404, 'BLOB_UNKNOWN');
  });

  it('answers DIGEST_INVALID for a malformed digest', async () => {
    await expectOciError(await v2(t, `${name}/blobs/sha256:1234`, { method: 'DELETE' }), 400, 'DIGEST_INVALID');
    await expectOciError(await v2(t, `${name}/manifests/sha256:xyz`, { method: 'DELETE' }), 400, 'DIGEST_INVALID');
  });

  it('needs credentials', async () => {
    const image = await pushImage(t, name, 'v2', makeImage('anonymous delete'));
    const res = await v2(t, `${name}/manifests/${image.manifest.digest}`, { method: 'DELETE', auth: false });
    await expectOciError(res, 401, 'UNAUTHORIZED');
    expect((await v2(t, `${name}/manifests/v2`)).status).toBe(200);
  });
});
