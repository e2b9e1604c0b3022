// Pulling (OCI end-2, end-3): blobs with HEAD, Range and If-None-Match; manifests by tag and digest with
// their digest, type and length headers; the errors for unknown names, manifests and blobs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob, digestOf } from '../helpers/oci.js';
import { expectOciError, hostedConfig, makeImage, MEDIA, pushBlob, pushImage, v2 } from '../helpers/registry.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';

let t: TestWharf;
const name = 'hosted/team/app';
const image = makeImage('pull');
const big = blob(Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251)));

beforeAll(async () => {
  t = await startWharf({ config: hostedConfig({ hosted: {} }) });
  await pushImage(t, name, '1.0', image);
  await pushBlob(t, name, big);
});
afterAll(() => t?.stop());

describe('blobs', () => {
  it('GET returns the exact bytes with digest, length and type headers', async () => {
    const res = await v2(t, `${name}/blobs/${big.digest}`, { auth: false });
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(big.digest);
    expect(res.headers.get('content-length')).toBe(String(big.size));
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(big.bytes);
  });

  it('HEAD answers the headers without a body', async () => {
    const res = await v2(t, `${name}/blobs/${big.digest}`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(big.digest);
    expect(res.headers.get('content-length')).toBe(String(big.size));
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('serves a byte range with 206 and Content-Range', async () => {
    const res = await v2(t, `${name}/blobs/${big.digest}`, { headers: { range: 'bytes=10-19' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 10-19/${big.size}`);
    expect(res.headers.get('content-length')).toBe('10');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(big.bytes.subarray(10, 20));
  });

  it('serves open-ended and suffix ranges', async () => {
    const open = await v2(t, `${name}/blobs/${big.digest}`, { headers: { range: 'bytes=990-' } });
    expect(open.status).toBe(206);
    expect(Buffer.from(await open.arrayBuffer())).toEqual(big.bytes.subarray(990));
    const suffix = await v2(t, `${name}/blobs/${big.digest}`, { headers: { range: 'bytes=-5' } });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe(`bytes 995-999/${big.size}`);
    expect(Buffer.from(await suffix.arrayBuffer())).toEqual(big.bytes.subarray(995));
  });

  it('answers 416 with the size for an unsatisfiable range', async () => {
    const res = await v2(t, `${name}/blobs/${big.digest}`, { headers: { range: `bytes=${big.size}-` } });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${big.size}`);
    await res.arrayBuffer();
  });

  it('answers 304 to If-None-Match with its ETag', async () => {
    const first = await v2(t, `${name}/blobs/${big.digest}`);
    const etag = first.headers.get('etag')!;
    expect(etag).toBe(`"${big.digest}"`);
    await first.arrayBuffer();
    const res = await v2(t, `${name}/blobs/${big.digest}`, { headers: { 'if-none-match': etag } });
    expect(res.status).toBe(304);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('serves an empty blob', async () => {
    const empty = blob('');
    await pushBlob(t, name, empty);
    const res = await v2(t, `${name}/blobs/${empty.digest}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('0');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers BLOB_UNKNOWN for a digest the repository does not hold', async () => {
    const missing = digestOf('never pushed');
    await expectOciError(await v2(t, `${name}/blobs/${missing}`), 404, 'BLOB_UNKNOWN');
    const head = await v2(t, `${name}/blobs/${missing}`, { method: 'HEAD' });
    expect(head.status).toBe(404);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('manifests', () => {
  for (const [what, ref] of [['tag', '1.0'], ['digest', image.manifest.digest]] as const) {
    it(`GET by ${what} returns the exact bytes with digest, type and length headers`, async () => {
      const res = await v2(t, `${name}/manifests/${ref}`, { headers: { accept: MEDIA.ociManifest }, auth: false });
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-content-digest')).toBe(image.manifest.digest);
      expect(res.headers.get('content-type')).toBe(MEDIA.ociManifest);
      expect(res.headers.get('content-length')).toBe(String(image.manifest.size));
      expect(Buffer.from(await res.arrayBuffer())).toEqual(image.manifest.bytes);
    });

    it(`HEAD by ${what} answers the same headers without a body`, async () => {
      const res = await v2(t, `${name}/manifests/${ref}`, { method: 'HEAD' });
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-content-digest')).toBe(image.manifest.digest);
      expect(res.headers.get('content-type')).toBe(MEDIA.ociManifest);
      expect(res.headers.get('content-length')).toBe(String(image.manifest.size));
      expect((await res.arrayBuffer()).byteLength).toBe(0);
    });
  }

  it('answers 304 to If-None-Match with the manifest ETag', async () => {
    const res = await v2(t, `${name}/manifests/1.0`, { headers: { 'if-none-match': `"${image.manifest.digest}"` } });
    expect(res.status).toBe(304);
    await res.arrayBuffer();
  });

  it('answers MANIFEST_UNKNOWN for an unknown tag or digest of a known name', async () => {
    await expectOciError(await v2(t, `${name}/manifests/2.0`), 404, 'MANIFEST_UNKNOWN');
    await expectOciError(await v2(t, `${name}/manifests/${digestOf('nothing')}`), 404, 'MANIFEST_UNKNOWN');
    const head = await v2(t, `${name}/manifests/2.0`, { method: 'HEAD' });
    expect(head.status).toBe(404);
    await head.arrayBuffer();
  });

  it('does not serve a manifest under another image name of the same repository', async () => {
    await expectOciError(await v2(t, `hosted/other/manifests/${image.manifest.digest}`), 404, 'MANIFEST_UNKNOWN');
  });

  it('answers NAME_UNKNOWN when no repository serves the name', async () => {
    // No default repository is configured, so a first segment that names no repository is unknown.
    await expectOciError(await v2(t, 'nowhere/app/manifests/1.0'), 404, 'NAME_UNKNOWN');
    await expectOciError(await v2(t, `nowhere/app/blobs/${big.digest}`), 404, 'NAME_UNKNOWN');
  });
});
