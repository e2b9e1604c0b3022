// The three ways to reach a Docker repository (DESIGN.md 1.2): path routing /v2/<repo>/<image>, the default
// repository /v2/<image>, and the repository's own connector port. All three see the same stored content.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob } from '../helpers/oci.js';
import { CHALLENGE, expectOciError, hostedConfig, makeImage, pushBlob, pushImage, v2, type Endpoint } from '../helpers/registry.js';
import { freePort, startWharf, type TestWharf } from '../helpers/wharf.js';

let t: TestWharf;
let connector: Endpoint;

beforeAll(async () => {
  const port = await freePort();
  t = await startWharf({ config: hostedConfig({ routed: { httpPort: port }, other: {} }, 'routed') });
  connector = { url: `http://127.0.0.1:${port}` };
});
afterAll(() => t?.stop());

/** The ways to name image `image` of repository `routed`. */
const ways = () => [
  { via: 'path routing', endpoint: t as Endpoint, name: (image: string) => `routed/${image}` },
  { via: 'default repository', endpoint: t as Endpoint, name: (image: string) => image },
  { via: 'connector port', endpoint: connector, name: (image: string) => image },
];

async function pulled(endpoint: Endpoint, name: string, ref: string): Promise<Buffer | number> {
  const res = await v2(endpoint, `${name}/manifests/${ref}`);
  return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : res.status;
}

describe('one repository, three addresses', () => {
  for (const pushWay of ['path routing', 'default repository', 'connector port']) {
    it(`content pushed by ${pushWay} is pulled the same by every way`, async () => {
      const image = `team/${pushWay.replace(' ', '-')}`;
      const push = ways().find((w) => w.via === pushWay)!;
      const pushedImage = await pushImage(push.endpoint, push.name(image), '1.0', makeImage(`routing ${pushWay}`));
      for (const pull of ways()) {
        expect(await pulled(pull.endpoint, pull.name(image), '1.0'), pull.via).toEqual(pushedImage.manifest.bytes);
        const layer = await v2(pull.endpoint, `${pull.name(image)}/blobs/${pushedImage.layers[0].digest}`);
        expect(layer.status, pull.via).toBe(200);
        expect(Buffer.from(await layer.arrayBuffer())).toEqual(pushedImage.layers[0].bytes);
        const tags = await v2(pull.endpoint, `${pull.name(image)}/tags/list`);
        expect(await tags.json(), pull.via).toEqual({ name: pull.name(image), tags: ['1.0'] });
      }
    });
  }

  it('serves a single-segment image name from the default repository', async () => {
    const pushed = await pushImage(t, 'alpine', 'v1', makeImage('single segment'));
    expect(await pulled(t, 'routed/alpine', 'v1')).toEqual(pushed.manifest.bytes);
    expect(await pulled(connector, 'alpine', 'v1')).toEqual(pushed.manifest.bytes);
  });

  it('keeps another repository separate under path routing', async () => {
    await pushImage(t, 'routed/team/only-routed', '1.0', makeImage('only in routed'));
    expect(await pulled(t, 'other/team/only-routed', '1.0')).toBe(404);
    const elsewhere = await pushImage(t, 'other/team/only-other', '1.0', makeImage('only in other'));
    expect(await pulled(t, 'other/team/only-other', '1.0')).toEqual(elsewhere.manifest.bytes);
    expect(await pulled(connector, 'team/only-other', '1.0')).toBe(404);
    await expectOciError(await v2(t, `routed/team/only-other/blobs/${elsewhere.layers[0].digest}`), 404, 'BLOB_UNKNOWN');
  });

  it('answers Location headers and Links in the name the client used', async () => {
    const b = blob('located');
    for (const way of ways()) {
      const res = await v2(way.endpoint, `${way.name('team/located')}/blobs/uploads/`, { method: 'POST' });
      expect(res.status).toBe(202);
      expect(res.headers.get('location'), way.via).toMatch(new RegExp(`^/v2/${way.name('team/located')}/blobs/uploads/`));
    }
    await pushBlob(connector, 'team/located', b);
    const res = await v2(connector, `team/located/blobs/uploads/?digest=${b.digest}`, { method: 'POST', body: b.bytes });
    expect(res.headers.get('location')).toBe(`/v2/team/located/blobs/${b.digest}`);
  });
});

describe('connector port', () => {
  it('answers the ping like the main port', async () => {
    const anonymous = await fetch(`${connector.url}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(CHALLENGE);
    await anonymous.arrayBuffer();
    const signedIn = await v2(connector, '');
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('lists only its repository in the catalog, without the repository prefix', async () => {
    await pushImage(t, 'routed/cat/x', '1', makeImage('catalog x'));
    await pushImage(t, 'other/cat/y', '1', makeImage('catalog y'));
    const own = ((await (await v2(connector, '_catalog')).json()) as { repositories: string[] }).repositories;
    expect(own).toContain('cat/x');
    expect(own).not.toContain('cat/y');
    expect(own.every((n) => !n.startsWith('routed/') && !n.startsWith('other/'))).toBe(true);
    const main = ((await (await v2(t, '_catalog')).json()) as { repositories: string[] }).repositories;
    expect(main).toEqual(expect.arrayContaining(['routed/cat/x', 'other/cat/y']));
  });

  it('does not path-route to other repositories', async () => {
    await pushImage(t, 'other/team/elsewhere', '1.0', makeImage('not via the connector'));
    await expectOciError(await v2(connector, 'other/team/elsewhere/manifests/1.0'), 404, 'MANIFEST_UNKNOWN');
  });
});
