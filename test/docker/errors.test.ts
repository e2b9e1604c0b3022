// The error side of the API: every failure answers the spec's JSON shape { errors: [{ code, message, detail }] }
// with the status the spec gives its code; authentication challenges; the API version header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob, digestOf } from '../helpers/oci.js';
import { CHALLENGE, expectOciError, hostedConfig, makeImage, MEDIA, pushImage, v2 } from '../helpers/registry.js';
import { adminAuth, startWharf, type TestWharf } from '../helpers/wharf.js';

let t: TestWharf;
const name = 'hosted/err/app';
const image = makeImage('errors');
const badAuth = `Basic ${Buffer.from('admin:wrong-password').toString('base64')}`;

beforeAll(async () => {
  t = await startWharf({ config: hostedConfig({ hosted: {}, frozen: { writePolicy: 'deny' } }) });
  await pushImage(t, name, 'v1', image);
});
afterAll(() => t?.stop());

describe('error bodies', () => {
  const cases: { what: string; method?: string; path: string; status: number; code: string; auth?: boolean; body?: string; headers?: Record<string, string> }[] = [
    { what: 'upper case name', path: 'hosted/err/App/manifests/v1', status: 400, code: 'NAME_INVALID' },
    { what: 'name with an empty component', path: 'hosted/err//app/tags/list', status: 400, code: 'NAME_INVALID' },
    { what: 'name ending in a separator', path: 'hosted/err/app-/blobs/uploads/', method: 'POST', status: 400, code: 'NAME_INVALID' },
    { what: 'name over 255 characters', path: `hosted/${'a'.repeat(260)}/manifests/v1`, status: 400, code: 'NAME_INVALID' },
    { what: 'unknown name', path: 'nowhere/app/tags/list', status: 404, code: 'NAME_UNKNOWN' },
    { what: 'unknown image in a repository', path: 'hosted/err/none/tags/list', status: 404, code: 'NAME_UNKNOWN' },
    { what: 'malformed blob digest', path: `${name}/blobs/sha256:abc`, status: 400, code: 'DIGEST_INVALID' },
    { what: 'unsupported digest algorithm', path: `${name}/blobs/sha512:${'a'.repeat(128)}`, status: 400, code: 'DIGEST_INVALID' },
    { what: 'malformed manifest digest', path: `${name}/manifests/sha256:XYZ`, status: 400, code: 'DIGEST_INVALID' },
    { what: 'malformed upload digest', method: 'POST', path: `${name}/blobs/uploads/?digest=nope`, body: 'x', status: 400, code: 'DIGEST_INVALID' },
    { what: 'unknown blob', path: `${name}/blobs/${digestOf('none')}`, status: 404, code: 'BLOB_UNKNOWN' },
    { what: 'unknown manifest', path: `${name}/manifests/v9`, status: 404, code: 'MANIFEST_UNKNOWN' },
    { what: 'unknown upload', path: `${name}/blobs/uploads/no-such-upload`, status: 404, code: 'BLOB_UPLOAD_UNKNOWN' },
    { what: 'invalid manifest', method: 'PUT', path: `${name}/manifests/v2`, body: '{', headers: { 'content-type': MEDIA.ociManifest }, status: 400, code: 'MANIFEST_INVALID' },
    { what: 'invalid tag', method: 'PUT', path: `${name}/manifests/-v2`, body: image.manifest.bytes.toString(), headers: { 'content-type': MEDIA.ociManifest }, status: 400, code: 'MANIFEST_INVALID' },
    { what: 'missing layer', method: 'PUT', path: `${name}/manifests/v3`, body: makeImage('missing').manifest.bytes.toString(), headers: { 'content-type': MEDIA.ociManifest }, status: 400, code: 'MANIFEST_BLOB_UNKNOWN' },
    { what: 'invalid page size', path: `${name}/tags/list?n=many`, status: 400, code: 'PAGINATION_NUMBER_INVALID' },
    { what: 'anonymous push', method: 'POST', path: `${name}/blobs/uploads/`, auth: false, status: 401, code: 'UNAUTHORIZED' },
    { what: 'wrong password', path: `${name}/manifests/v1`, headers: { authorization: badAuth }, status: 401, code: 'UNAUTHORIZED' },
    { what: 'read-only repository', method: 'POST', path: 'frozen/app/blobs/uploads/', status: 403, code: 'DENIED' },
    { what: 'method not allowed', method: 'PATCH', path: `${name}/manifests/v1`, status: 405, code: 'UNSUPPORTED' },
    { what: 'unknown endpoint', path: `${name}/nothing/here`, status: 404, code: 'UNSUPPORTED' },
  ];

  for (const c of cases) {
    it(`${c.what}: ${c.status} ${c.code}`, async () => {
      const res = await v2(t, c.path, { method: c.method ?? 'GET', auth: c.auth, body: c.body, headers: c.headers });
      expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
      await expectOciError(res, c.status, c.code);
    });
  }

  it('HEAD errors carry the status but no body', async () => {
    const res = await v2(t, `${name}/manifests/v9`, { method: 'HEAD' });
    expect(res.status).toBe(404);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('authentication', () => {
  it('challenges an anonymous push with 401 and WWW-Authenticate', async () => {
    const b = blob('anonymous');
    for (const [method, path] of [['POST', `${name}/blobs/uploads/`], ['POST', `${name}/blobs/uploads/?digest=${b.digest}`], ['PUT', `${name}/manifests/v1`], ['DELETE', `${name}/manifests/v1`]]) {
      const res = await v2(t, path, { method, auth: false, body: method === 'GET' ? undefined : b.bytes });
      expect(res.headers.get('www-authenticate'), `${method} ${path}`).toMatch(CHALLENGE);
      await expectOciError(res, 401, 'UNAUTHORIZED', `${method} ${path}`);
    }
  });

  it('lets anonymous users pull when anonymous access is on', async () => {
    expect((await v2(t, `${name}/manifests/v1`, { auth: false })).status).toBe(200);
  });

  it('answers the /v2/ ping with 401 to anonymous clients and 200 with credentials', async () => {
    for (const path of ['', '/']) {
      const url = `${t.url}/v2${path}`;
      const anonymous = await fetch(url);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(CHALLENGE);
      expect(anonymous.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
      await expectOciError(anonymous, 401, 'UNAUTHORIZED');

      const signedIn = await v2(t, '');
      expect(signedIn.status).toBe(200);
      expect(signedIn.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
      expect(await signedIn.json()).toEqual({});

      const head = await fetch(url, { method: 'HEAD', headers: { authorization: adminAuth } });
      expect(head.status).toBe(200);
    }
  });

  it('refuses wrong credentials on the ping', async () => {
    const res = await fetch(`${t.url}/v2/`, { headers: { authorization: badAuth } });
    expect(res.headers.get('www-authenticate')).toMatch(CHALLENGE);
    await expectOciError(res, 401, 'UNAUTHORIZED');
  });
});

describe('Docker-Distribution-API-Version', () => {
  it('is on every /v2 response', async () => {
    for (const path of ['', `${name}/tags/list`, `${name}/manifests/v1`, `${name}/blobs/${image.config.digest}`, '_catalog', `${name}/referrers/${image.manifest.digest}`]) {
      const res = await v2(t, path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('docker-distribution-api-version'), path).toBe('registry/2.0');
      await res.arrayBuffer();
    }
  });
});
