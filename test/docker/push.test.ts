// Pushing (OCI end-4a/4b, end-5, end-6, end-7, end-11, end-13): blob uploads in every style the spec
// allows, cross-repository mounts, manifests of every media type, the manifest size limit, and the errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob, digestOf, imageManifest } from '../helpers/oci.js';
import {
  describe as show, dockerManifest, expectOciError, follow, hostedConfig, indexOf, makeImage, MEDIA, pushBlob, pushImage,
  pushManifest, putManifest, v2,
} from '../helpers/registry.js';
import { adminAuth, startWharf, type TestWharf } from '../helpers/wharf.js';

let t: TestWharf;

beforeAll(async () => {
  t = await startWharf({ config: hostedConfig({ hosted: {}, other: {} }) });
});
afterAll(() => t?.stop());

const octets = { 'content-type': 'application/octet-stream' };

/** `location` with `?digest=` (or `&digest=`) appended. */
function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

/** Opens an upload session; returns its Location. */
async function startUpload(name: string): Promise<string> {
  const res = await v2(t, `${name}/blobs/uploads/`, { method: 'POST' });
  expect(res.status, await show(res)).toBe(202);
  expect(res.headers.get('docker-upload-uuid')).toBeTruthy();
  return res.headers.get('location')!;
}

async function expectBlob(name: string, b: { digest: string; bytes: Buffer }): Promise<void> {
  const res = await v2(t, `${name}/blobs/${b.digest}`);
  expect(res.status).toBe(200);
  expect(Buffer.from(await res.arrayBuffer())).toEqual(b.bytes);
}

describe('blob uploads', () => {
  it('accepts a whole blob in a single POST ?digest=', async () => {
    const b = blob('single post');
    const res = await v2(t, `hosted/up/single/blobs/uploads/?digest=${b.digest}`, { method: 'POST', body: b.bytes, headers: octets });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v2/hosted/up/single/blobs/${b.digest}`);
    expect(res.headers.get('docker-content-digest')).toBe(b.digest);
    await expectBlob('hosted/up/single', b);
  });

  it('accepts POST then a monolithic PUT', async () => {
    const b = blob('monolithic put');
    const location = await startUpload('hosted/up/mono');
    expect(location).toMatch(/^\/v2\/hosted\/up\/mono\/blobs\/uploads\/[A-Za-z0-9-]+$/);
    const res = await follow(t, withDigest(location, b.digest), { method: 'PUT', body: b.bytes, headers: octets });
    expect(res.status, await show(res)).toBe(201);
    expect(res.headers.get('location')).toBe(`/v2/hosted/up/mono/blobs/${b.digest}`);
    expect(res.headers.get('docker-content-digest')).toBe(b.digest);
    await expectBlob('hosted/up/mono', b);
  });

  it('accepts chunks in order, refuses an out-of-order chunk with 416 and the current Range, reports status', async () => {
    const b = blob('0123456789abcdefghijKLMNOPQRST');
    const name = 'hosted/up/chunked';
    let location = await startUpload(name);

    const first = await follow(t, location, { method: 'PATCH', body: b.bytes.subarray(0, 10), headers: { ...octets, 'content-range': '0-9' } });
    expect(first.status, await show(first)).toBe(202);
    expect(first.headers.get('range')).toBe('0-9');
    location = first.headers.get('location')!;

    const outOfOrder = await follow(t, location, { method: 'PATCH', body: b.bytes.subarray(15, 20), headers: { ...octets, 'content-range': '15-19' } });
    expect(outOfOrder.status).toBe(416);
    expect(outOfOrder.headers.get('range')).toBe('0-9');
    expect(outOfOrder.headers.get('location')).toBe(location);
    await outOfOrder.arrayBuffer();

    const status = await follow(t, location);
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-9');
    expect(status.headers.get('location')).toBe(location);
    expect(status.headers.get('docker-upload-uuid')).toBeTruthy();

    const second = await follow(t, location, { method: 'PATCH', body: b.bytes.subarray(10, 20), headers: { ...octets, 'content-range': '10-19' } });
    expect(second.status).toBe(202);
    expect(second.headers.get('range')).toBe('0-19');

    // The last chunk may come with the closing PUT.
    const done = await follow(t, withDigest(second.headers.get('location')!, b.digest), {
      method: 'PUT', body: b.bytes.subarray(20), headers: { ...octets, 'content-range': '20-29' },
    });
    expect(done.status, await show(done)).toBe(201);
    expect(done.headers.get('docker-content-digest')).toBe(b.digest);
    await expectBlob(name, b);
  });

  it('accepts streamed PATCH chunks without Content-Range and a closing PUT without body', async () => {
    const b = blob('streamed chunks, then an empty PUT');
    let location = await startUpload('hosted/up/stream');
    for (const part of [b.bytes.subarray(0, 7), b.bytes.subarray(7)]) {
      const res = await follow(t, location, { method: 'PATCH', body: part, headers: octets });
      expect(res.status).toBe(202);
      location = res.headers.get('location')!;
    }
    const done = await follow(t, withDigest(location, b.digest), { method: 'PUT' });
    expect(done.status, await show(done)).toBe(201);
    await expectBlob('hosted/up/stream', b);
  });

  it('reports an empty upload as Range 0-0', async () => {
    const location = await startUpload('hosted/up/empty');
    const status = await follow(t, location);
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-0');
  });

  it('cancels an upload with DELETE; the session is then BLOB_UPLOAD_UNKNOWN', async () => {
    const location = await startUpload('hosted/up/cancel');
    await (await follow(t, location, { method: 'PATCH', body: 'some bytes', headers: octets })).arrayBuffer();
    const cancel = await follow(t, location, { method: 'DELETE' });
    expect(cancel.status).toBe(204);
    await expectOciError(await follow(t, location), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectOciError(await follow(t, location, { method: 'PATCH', body: 'more', headers: octets }), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectOciError(await follow(t, location, { method: 'DELETE' }), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('binds an upload session to the name it was opened for', async () => {
    const location = await startUpload('hosted/up/owner');
    const id = location.split('/').pop();
    await expectOciError(await v2(t, `hosted/up/intruder/blobs/uploads/${id}`), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectOciError(await v2(t, `other/up/owner/blobs/uploads/${id}`), 404, 'BLOB_UPLOAD_UNKNOWN');
    expect((await follow(t, location)).status).toBe(204);
  });

  it('answers BLOB_UPLOAD_UNKNOWN for a session id that never existed', async () => {
    await expectOciError(await v2(t, 'hosted/up/none/blobs/uploads/00000000-0000-0000-0000-000000000000'), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('refuses a digest that does not match the content with DIGEST_INVALID and keeps nothing', async () => {
    const b = blob('the real content');
    const wrong = digestOf('something else');
    const single = await v2(t, `hosted/up/mismatch/blobs/uploads/?digest=${wrong}`, { method: 'POST', body: b.bytes, headers: octets });
    await expectOciError(single, 400, 'DIGEST_INVALID');

    const location = await startUpload('hosted/up/mismatch');
    await expectOciError(await follow(t, withDigest(location, wrong), { method: 'PUT', body: b.bytes, headers: octets }), 400, 'DIGEST_INVALID');
    await expectOciError(await follow(t, location), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectOciError(await v2(t, `hosted/up/mismatch/blobs/${wrong}`), 404, 'BLOB_UNKNOWN');
    await expectOciError(await v2(t, `hosted/up/mismatch/blobs/${b.digest}`), 404, 'BLOB_UNKNOWN');
  });

  it('refuses to complete an upload without a digest', async () => {
    const location = await startUpload('hosted/up/nodigest');
    await expectOciError(await follow(t, location, { method: 'PUT', body: 'x', headers: octets }), 400, 'DIGEST_INVALID');
  });

  it('keeps upload sessions across a server restart', async () => {
    const b = blob('bytes before and after a restart');
    const first = await follow(t, await startUpload('hosted/up/restart'), {
      method: 'PATCH', body: b.bytes.subarray(0, 12), headers: { ...octets, 'content-range': '0-11' },
    });
    expect(first.status).toBe(202);
    const location = first.headers.get('location')!;
    await t.restart();
    const status = await follow(t, location);
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-11');
    const rest = await follow(t, location, { method: 'PATCH', body: b.bytes.subarray(12), headers: { ...octets, 'content-range': `12-${b.size - 1}` } });
    expect(rest.status).toBe(202);
    const done = await follow(t, withDigest(location, b.digest), { method: 'PUT' });
    expect(done.status, await show(done)).toBe(201);
    await expectBlob('hosted/up/restart', b);
  });
});

describe('cross-repository mount', () => {
  it('mounts a blob from another image of the same repository with 201', async () => {
    const b = blob('mount me within a repository');
    await pushBlob(t, 'hosted/mount/src', b);
    const res = await v2(t, `hosted/mount/dst/blobs/uploads/?mount=${b.digest}&from=hosted/mount/src`, { method: 'POST' });
    expect(res.status, await show(res)).toBe(201);
    expect(res.headers.get('location')).toBe(`/v2/hosted/mount/dst/blobs/${b.digest}`);
    expect(res.headers.get('docker-content-digest')).toBe(b.digest);
    await expectBlob('hosted/mount/dst', b);
  });

  it('mounts a blob from another repository with 201', async () => {
    const b = blob('mount me across repositories');
    await pushBlob(t, 'hosted/mount/src', b);
    await expectOciError(await v2(t, `other/mount/dst/blobs/${b.digest}`), 404, 'BLOB_UNKNOWN');
    const res = await v2(t, `other/mount/dst/blobs/uploads/?mount=${b.digest}&from=hosted/mount/src`, { method: 'POST' });
    expect(res.status, await show(res)).toBe(201);
    await expectBlob('other/mount/dst', b);
  });

  it('falls back to a new upload session (202) when the source does not hold the blob', async () => {
    const b = blob('not in the source yet');
    const res = await v2(t, `other/mount/fallback/blobs/uploads/?mount=${b.digest}&from=hosted/mount/src`, { method: 'POST' });
    expect(res.status, await show(res)).toBe(202);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/\/blobs\/uploads\//);
    const done = await follow(t, withDigest(location, b.digest), { method: 'PUT', body: b.bytes, headers: octets });
    expect(done.status).toBe(201);
    await expectBlob('other/mount/fallback', b);
  });

  it('mounts without `from` only a blob the repository already holds', async () => {
    const held = blob('already held by the repository');
    await pushBlob(t, 'hosted/mount/src', held);
    const res = await v2(t, `hosted/mount/nofrom/blobs/uploads/?mount=${held.digest}`, { method: 'POST' });
    expect(res.status, await show(res)).toBe(201);
    expect(res.headers.get('docker-content-digest')).toBe(held.digest);
    const unknown = await v2(t, `hosted/mount/nofrom/blobs/uploads/?mount=${digestOf('held by nobody')}`, { method: 'POST' });
    expect(unknown.status).toBe(202);
  });

  it('falls back to a new upload session (202) when the source name is unknown', async () => {
    const b = blob('source that does not exist');
    const res = await v2(t, `other/mount/fallback/blobs/uploads/?mount=${b.digest}&from=nowhere/img`, { method: 'POST' });
    expect(res.status, await show(res)).toBe(202);
    expect(res.headers.get('location')).toMatch(/\/blobs\/uploads\//);
  });
});

describe('manifest uploads', () => {
  const name = 'hosted/man/app';

  async function expectManifest(ref: string, m: { digest: string; bytes: Buffer }, mediaType: string): Promise<void> {
    const res = await v2(t, `${name}/manifests/${ref}`, { headers: { accept: mediaType } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(mediaType);
    expect(res.headers.get('docker-content-digest')).toBe(m.digest);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(m.bytes);
  }

  it('stores a Docker schema 2 manifest and a Docker manifest list', async () => {
    const children = [];
    for (const arch of ['amd64', 'arm64']) {
      const config = blob(JSON.stringify({ architecture: arch, os: 'linux' }));
      const layer = blob(`docker layer ${arch}`);
      await pushBlob(t, name, config);
      await pushBlob(t, name, layer);
      const m = dockerManifest(config, [layer]);
      const res = await pushManifest(t, name, m.digest, m, MEDIA.dockerManifest);
      expect(res.headers.get('location')).toBe(`/v2/${name}/manifests/${m.digest}`);
      children.push({ manifest: m, mediaType: MEDIA.dockerManifest, arch });
    }
    await pushManifest(t, name, 'docker-single', children[0].manifest, MEDIA.dockerManifest);
    await expectManifest('docker-single', children[0].manifest, MEDIA.dockerManifest);
    const list = indexOf(children, MEDIA.dockerList);
    await pushManifest(t, name, 'docker-list', list, MEDIA.dockerList);
    await expectManifest('docker-list', list, MEDIA.dockerList);
    await expectManifest(list.digest, list, MEDIA.dockerList);
  });

  it('stores an OCI image manifest and an OCI index', async () => {
    const amd = await pushImage(t, name, 'oci-amd64', makeImage('oci amd64'));
    const arm = makeImage('oci arm64');
    await pushImage(t, name, arm.manifest.digest, arm);
    await expectManifest('oci-amd64', amd.manifest, MEDIA.ociManifest);
    const index = indexOf([{ manifest: amd.manifest, mediaType: MEDIA.ociManifest, arch: 'amd64' }, { manifest: arm.manifest, mediaType: MEDIA.ociManifest, arch: 'arm64' }]);
    await pushManifest(t, name, 'oci-index', index, MEDIA.ociIndex);
    await expectManifest('oci-index', index, MEDIA.ociIndex);
  });

  it('refuses a manifest pushed by a digest that is not its own with DIGEST_INVALID', async () => {
    const image = makeImage('wrong digest reference');
    for (const b of [image.config, ...image.layers]) await pushBlob(t, name, b);
    await expectOciError(await putManifest(t, name, digestOf('another manifest'), image.manifest), 400, 'DIGEST_INVALID');
  });

  it('accepts a manifest of exactly 4 MiB and refuses a larger one with 413', async () => {
    const config = blob('{"config":"for a big manifest"}');
    await pushBlob(t, name, config);
    const sized = (size: number) => {
      const bare = imageManifest(config, [], { annotations: { pad: '' } });
      return imageManifest(config, [], { annotations: { pad: 'x'.repeat(size - bare.size) } });
    };
    const limit = 4 * 1024 * 1024;
    const atLimit = sized(limit);
    expect(atLimit.size).toBe(limit);
    await pushManifest(t, name, 'big', atLimit);
    const back = await v2(t, `${name}/manifests/big`);
    expect(back.headers.get('content-length')).toBe(String(limit));
    expect(Buffer.from(await back.arrayBuffer()).equals(atLimit.bytes)).toBe(true);

    const tooBig = sized(limit + 1);
    const refused = await putManifest(t, name, 'too-big', tooBig);
    expect(refused.status).toBe(413);
    await expectOciError(refused, 413, 'SIZE_INVALID');
    // Also when the body is streamed without a Content-Length.
    const streamed = await fetch(`${t.url}/v2/${name}/manifests/too-big`, {
      method: 'PUT',
      headers: { authorization: adminAuth, 'content-type': MEDIA.ociManifest },
      body: new Blob([new Uint8Array(tooBig.bytes)]).stream(),
      duplex: 'half',
    } as RequestInit);
    await expectOciError(streamed, 413, 'SIZE_INVALID');
    await expectOciError(await v2(t, `${name}/manifests/too-big`), 404, 'MANIFEST_UNKNOWN');
  });

  it('refuses MANIFEST_BLOB_UNKNOWN when a layer, the config or an index child is missing', async () => {
    const config = blob('config present');
    await pushBlob(t, name, config);
    const missingLayer = blob('layer never pushed');
    const res = await putManifest(t, name, 'missing-layer', imageManifest(config, [missingLayer]));
    const err = await expectOciError(res, 400, 'MANIFEST_BLOB_UNKNOWN');
    expect(JSON.stringify(err)).toContain(missingLayer.digest);
    await expectOciError(await putManifest(t, name, 'missing-config', imageManifest(blob('config never pushed'), [])), 400, 'MANIFEST_BLOB_UNKNOWN');
    const orphan = makeImage('child never pushed');
    const index = indexOf([{ manifest: orphan.manifest, mediaType: MEDIA.ociManifest, arch: 'amd64' }]);
    await expectOciError(await putManifest(t, name, 'missing-child', index, MEDIA.ociIndex), 400, 'MANIFEST_BLOB_UNKNOWN');
    await expectOciError(await v2(t, `${name}/manifests/missing-layer`), 404, 'MANIFEST_UNKNOWN');
  });

  it('refuses garbage with MANIFEST_INVALID', async () => {
    const cases: [string, string][] = [
      ['not json at all', MEDIA.ociManifest],
      ['[1, 2, 3]', MEDIA.ociManifest],
      [JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, layers: [] }), MEDIA.ociManifest],
      [JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: { digest: 'nope', size: 1, mediaType: 'x' }, layers: [] }), MEDIA.ociManifest],
      [JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex }), MEDIA.ociIndex],
      [JSON.stringify({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] }), 'application/vnd.docker.distribution.manifest.v1+prettyjws'],
    ];
    for (const [body, type] of cases) {
      await expectOciError(await putManifest(t, name, 'garbage', blob(body), type), 400, 'MANIFEST_INVALID');
    }
  });

  it('refuses a Content-Type that contradicts the manifest mediaType', async () => {
    const image = makeImage('mismatched type');
    for (const b of [image.config, ...image.layers]) await pushBlob(t, name, b);
    await expectOciError(await putManifest(t, name, 'mismatch', image.manifest, MEDIA.ociIndex), 400, 'MANIFEST_INVALID');
  });
});
