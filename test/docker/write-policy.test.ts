// Write policies of hosted Docker repositories: allow (tags move), allow_once (a tag, once pushed, keeps
// its manifest, except `latest` with latestPolicy) and deny (read-only: every write is DENIED).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob } from '../helpers/oci.js';
import { expectOciError, hostedConfig, makeImage, pushBlob, pushImage, pushManifest, putManifest, v2, type Image } from '../helpers/registry.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';

let t: TestWharf;
const repos = (frozen: string) => ({
  open: { writePolicy: 'allow' }, once: { writePolicy: 'allow_once' },
  'once-latest': { writePolicy: 'ALLOW_ONCE', latestPolicy: true }, frozen: { writePolicy: frozen },
});
const frozenImage = makeImage('frozen content');
const frozenBlob = blob('a blob held by the frozen repository');

beforeAll(async () => {
  // `frozen` gets content while writable, then turns read-only, as an operator would do it.
  t = await startWharf({ config: hostedConfig(repos('allow')) });
  await pushImage(t, 'frozen/app', '1.0', frozenImage);
  await pushBlob(t, 'frozen/app', frozenBlob);
  writeFileSync(join(t.dataDir, 'wharf.yaml'), hostedConfig(repos('deny')));
  await t.restart();
});
afterAll(() => t?.stop());

async function digestOf(name: string, tag: string): Promise<string | null> {
  const res = await v2(t, `${name}/manifests/${tag}`, { method: 'HEAD' });
  return res.status === 200 ? res.headers.get('docker-content-digest') : null;
}

/** Two different images pushed by digest only, ready to be tagged. */
async function twoImages(name: string): Promise<[Image, Image]> {
  const a = await pushImage(t, name, makeImage(`${name} a`).manifest.digest, makeImage(`${name} a`));
  const b = await pushImage(t, name, makeImage(`${name} b`).manifest.digest, makeImage(`${name} b`));
  return [a, b];
}

describe('allow', () => {
  it('lets a tag move to another manifest', async () => {
    const [a, b] = await twoImages('open/app');
    await pushManifest(t, 'open/app', '1.0', a.manifest);
    await pushManifest(t, 'open/app', '1.0', b.manifest);
    expect(await digestOf('open/app', '1.0')).toBe(b.manifest.digest);
  });
});

describe('allow_once', () => {
  it('refuses to move a tag with DENIED naming the policy, and keeps the tag where it was', async () => {
    const [a, b] = await twoImages('once/app');
    await pushManifest(t, 'once/app', '1.0', a.manifest);
    const err = await expectOciError(await putManifest(t, 'once/app', '1.0', b.manifest), 403, 'DENIED');
    expect(err.message).toMatch(/allow_once/);
    expect(err.message).toContain('1.0');
    expect(await digestOf('once/app', '1.0')).toBe(a.manifest.digest);
  });

  it('accepts the same digest again under the same tag, and new tags for any manifest', async () => {
    const [a, b] = await twoImages('once/same');
    await pushManifest(t, 'once/same', '1.0', a.manifest);
    await pushManifest(t, 'once/same', '1.0', a.manifest);
    await pushManifest(t, 'once/same', '1.1', b.manifest);
    await pushManifest(t, 'once/same', 'also-1.0', a.manifest);
    await pushBlob(t, 'once/same', a.config); // blobs are content-addressed: pushing again is harmless
    expect(await digestOf('once/same', '1.0')).toBe(a.manifest.digest);
    expect(await digestOf('once/same', '1.1')).toBe(b.manifest.digest);
  });

  it('keeps `latest` immutable too without latestPolicy', async () => {
    const [a, b] = await twoImages('once/latest');
    await pushManifest(t, 'once/latest', 'latest', a.manifest);
    await expectOciError(await putManifest(t, 'once/latest', 'latest', b.manifest), 403, 'DENIED');
  });

  it('lets `latest` move with latestPolicy, and only `latest`', async () => {
    const [a, b] = await twoImages('once-latest/app');
    await pushManifest(t, 'once-latest/app', 'latest', a.manifest);
    await pushManifest(t, 'once-latest/app', 'latest', b.manifest);
    expect(await digestOf('once-latest/app', 'latest')).toBe(b.manifest.digest);
    await pushManifest(t, 'once-latest/app', '2.0', a.manifest);
    await expectOciError(await putManifest(t, 'once-latest/app', '2.0', b.manifest), 403, 'DENIED');
  });
});

describe('deny', () => {
  const name = 'frozen/app';

  it('still serves what the repository holds', async () => {
    expect(await digestOf(name, '1.0')).toBe(frozenImage.manifest.digest);
    expect((await v2(t, `${name}/blobs/${frozenBlob.digest}`, { auth: false })).status).toBe(200);
    expect((await v2(t, `${name}/tags/list`)).status).toBe(200);
  });

  it('refuses every write with DENIED', async () => {
    const fresh = blob('never stored in frozen');
    const writes: [string, string, Record<string, unknown>?][] = [
      ['POST', `${name}/blobs/uploads/`],
      ['POST', `${name}/blobs/uploads/?digest=${fresh.digest}`, { body: fresh.bytes }],
      ['POST', `${name}/blobs/uploads/?mount=${frozenBlob.digest}`],
      ['POST', `${name}/blobs/uploads/?mount=${frozenImage.config.digest}&from=open/app`],
      ['PUT', `${name}/manifests/1.0`, { body: frozenImage.manifest.bytes, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } }],
      ['PUT', `${name}/manifests/2.0`, { body: frozenImage.manifest.bytes, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } }],
      ['DELETE', `${name}/manifests/1.0`],
      ['DELETE', `${name}/manifests/${frozenImage.manifest.digest}`],
      ['DELETE', `${name}/blobs/${frozenBlob.digest}`],
    ];
    // The mount source must really hold the blob, so that the refusal is the policy's and not a fallback.
    await pushBlob(t, 'open/app', frozenImage.config);
    for (const [method, path, init] of writes) {
      const err = await expectOciError(await v2(t, path, { method, ...init }), 403, 'DENIED', `${method} ${path}`);
      expect(err.message, `${method} ${path}`).toMatch(/deny/);
    }
    expect(await digestOf(name, '1.0')).toBe(frozenImage.manifest.digest);
    expect(await digestOf(name, '2.0')).toBeNull();
    expect((await v2(t, `${name}/blobs/${frozenBlob.digest}`)).status).toBe(200);
  });
});
