// Listing and discovery (OCI end-8a/8b, end-12a/12b, and Docker's /v2/_catalog): tags in lexical order with
// n/last pagination and Link headers, the catalog, and the referrers API with its artifactType filter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob, digestOf, type Blob } from '../helpers/oci.js';
import { expectOciError, hostedConfig, makeImage, MEDIA, pushBlob, pushImage, pushManifest, v2 } from '../helpers/registry.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';

let t: TestWharf;
const name = 'hosted/list/app';
const tags = ['latest', 'b', '1.0', 'a', '10', 'B_2', '2', 'a-1', 'z'];
const sorted = [...tags].sort();

beforeAll(async () => {
  // `regs` merges two members whose names interleave and overlap, so its catalog pages draw on both.
  const group = '  - { name: regs, format: docker, type: group, group: { memberNames: [reg, reg-b] } }\n';
  t = await startWharf({ config: hostedConfig({ hosted: {}, reg: {}, 'reg-b': {} }) + group });
  const image = await pushImage(t, name, tags[0], makeImage('tags'));
  for (const tag of tags.slice(1)) await pushManifest(t, name, tag, image.manifest);
});
afterAll(() => t?.stop());

/** Follows Link rel="next" headers from `path`, returning every page's items and the Link headers. */
async function allPages(path: string, key: 'tags' | 'repositories'): Promise<{ pages: string[][]; links: string[] }> {
  const pages: string[][] = [];
  const links: string[] = [];
  let next: string | undefined = path;
  while (next) {
    const res = await v2(t, next);
    expect(res.status).toBe(200);
    pages.push(((await res.json()) as Record<string, string[]>)[key]);
    const link = res.headers.get('link');
    if (link) links.push(link);
    next = link ? /^<\/v2\/([^>]+)>;\s*rel="next"$/.exec(link)![1] : undefined;
    expect(pages.length).toBeLessThan(50);
  }
  return { pages, links };
}

describe('tags list', () => {
  it('lists every tag in lexical order', async () => {
    const res = await v2(t, `${name}/tags/list`, { auth: false });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('link')).toBeNull();
    expect(await res.json()).toEqual({ name, tags: sorted });
  });

  it('pages with n and a Link header until the end', async () => {
    const { pages, links } = await allPages(`${name}/tags/list?n=4`, 'tags');
    expect(pages.map((p) => p.length)).toEqual([4, 4, 1]);
    expect(pages.flat()).toEqual(sorted);
    expect(links[0]).toBe(`</v2/${name}/tags/list?n=4&last=${encodeURIComponent(sorted[3])}>; rel="next"`);
    expect(links).toHaveLength(2);
  });

  it('starts after last', async () => {
    const res = await v2(t, `${name}/tags/list?last=${sorted[5]}`);
    expect(((await res.json()) as { tags: string[] }).tags).toEqual(sorted.slice(6));
    const paged = await v2(t, `${name}/tags/list?n=2&last=${sorted[2]}`);
    expect(((await paged.json()) as { tags: string[] }).tags).toEqual(sorted.slice(3, 5));
    const past = await v2(t, `${name}/tags/list?last=zzz`);
    expect(((await past.json()) as { tags: string[] }).tags).toEqual([]);
  });

  it('answers n=0 with an empty list and no Link', async () => {
    const res = await v2(t, `${name}/tags/list?n=0`);
    expect(res.status).toBe(200);
    expect(res.headers.get('link')).toBeNull();
    expect(await res.json()).toEqual({ name, tags: [] });
  });

  it('answers an exact last page without a Link', async () => {
    const res = await v2(t, `${name}/tags/list?n=${sorted.length}`);
    expect(res.headers.get('link')).toBeNull();
    expect(((await res.json()) as { tags: string[] }).tags).toEqual(sorted);
  });

  it('refuses a malformed n', async () => {
    const res = await v2(t, `${name}/tags/list?n=-1`);
    expect(res.status).toBe(400);
    await res.arrayBuffer();
  });

  it('answers NAME_UNKNOWN for an image with no manifests', async () => {
    await expectOciError(await v2(t, 'hosted/list/none/tags/list'), 404, 'NAME_UNKNOWN');
  });
});

describe('catalog', () => {
  const pushed = ['hosted/list/app', 'reg/x', 'reg/y', 'reg-b/a', 'reg-b/y'];
  // The group lists each name once, whichever members hold it.
  const images = [...pushed, 'regs/a', 'regs/x', 'regs/y'];

  beforeAll(async () => {
    for (const image of pushed.slice(1)) await pushImage(t, image, 'v1', makeImage(`catalog ${image}`));
  });

  it('lists every image under its path-routed name, sorted', async () => {
    const res = await v2(t, '_catalog');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { repositories: string[] };
    expect(body.repositories).toEqual([...images].sort());
  });

  it('pages with n, last and Link across repositories', async () => {
    const all = [...images].sort();
    for (const n of [1, 2, 3, 5]) {
      const { pages } = await allPages(`_catalog?n=${n}`, 'repositories');
      expect(pages.flat(), `n=${n}`).toEqual(all);
      expect(pages.slice(0, -1).every((p) => p.length === n)).toBe(true);
    }
    const after = await v2(t, `_catalog?last=${encodeURIComponent(all[1])}`);
    expect(((await after.json()) as { repositories: string[] }).repositories).toEqual(all.slice(2));
  });

  it('answers n=0 with an empty list', async () => {
    const res = await v2(t, '_catalog?n=0');
    expect(await res.json()).toEqual({ repositories: [] });
    expect(res.headers.get('link')).toBeNull();
  });
});

describe('referrers', () => {
  const refName = 'hosted/refs/app';
  const emptyConfig = blob('{}');
  const subject = makeImage('subject of referrers');
  const subjectDescriptor = { mediaType: MEDIA.ociManifest, digest: subject.manifest.digest, size: subject.manifest.size };
  const sbomLayer = blob('{"sbom":true}');
  const sigLayer = blob('signature bytes');
  const EMPTY = 'application/vnd.oci.empty.v1+json';
  /** An OCI artifact manifest (empty config) that refers to the subject. */
  const artifact = (artifactType: string, layer: Blob, annotations: Record<string, string>) => blob(JSON.stringify({
    schemaVersion: 2, mediaType: MEDIA.ociManifest, artifactType,
    config: { mediaType: EMPTY, digest: emptyConfig.digest, size: emptyConfig.size },
    layers: [{ mediaType: 'application/octet-stream', digest: layer.digest, size: layer.size }],
    subject: subjectDescriptor, annotations,
  }));
  const sbom = artifact('application/vnd.example.sbom.v1+json', sbomLayer, { 'org.example.kind': 'sbom' });
  const sig = artifact('application/vnd.example.signature.v1', sigLayer, { 'org.example.kind': 'signature' });

  beforeAll(async () => {
    await pushImage(t, refName, 'v1', subject);
    for (const b of [emptyConfig, sbomLayer, sigLayer]) await pushBlob(t, refName, b);
  });

  it('answers OCI-Subject when a manifest with a subject is pushed', async () => {
    for (const m of [sbom, sig]) {
      const res = await pushManifest(t, refName, m.digest, m);
      expect(res.headers.get('oci-subject')).toBe(subject.manifest.digest);
    }
    const plain = await pushManifest(t, refName, 'v1', subject.manifest);
    expect(plain.headers.get('oci-subject')).toBeNull();
  });

  it('lists the referrers of a digest as an OCI index', async () => {
    const res = await v2(t, `${refName}/referrers/${subject.manifest.digest}`, { auth: false });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.oci\.image\.index\.v1\+json/);
    expect(res.headers.get('oci-filters-applied')).toBeNull();
    const index = (await res.json()) as { schemaVersion: number; mediaType: string; manifests: Record<string, unknown>[] };
    expect(index.schemaVersion).toBe(2);
    expect(index.mediaType).toBe(MEDIA.ociIndex);
    const expected = [
      { mediaType: MEDIA.ociManifest, digest: sbom.digest, size: sbom.size, artifactType: 'application/vnd.example.sbom.v1+json', annotations: { 'org.example.kind': 'sbom' } },
      { mediaType: MEDIA.ociManifest, digest: sig.digest, size: sig.size, artifactType: 'application/vnd.example.signature.v1', annotations: { 'org.example.kind': 'signature' } },
    ];
    expect(index.manifests).toHaveLength(2);
    expect(index.manifests).toEqual(expect.arrayContaining(expected));
  });

  it('filters by artifactType and says so in OCI-Filters-Applied', async () => {
    const res = await v2(t, `${refName}/referrers/${subject.manifest.digest}?artifactType=${encodeURIComponent('application/vnd.example.signature.v1')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('oci-filters-applied')).toBe('artifactType');
    const index = (await res.json()) as { manifests: { digest: string }[] };
    expect(index.manifests.map((m) => m.digest)).toEqual([sig.digest]);
  });

  it('answers an empty index for a digest without referrers, known or not', async () => {
    for (const digest of [subject.config.digest, digestOf('no such manifest')]) {
      const res = await v2(t, `${refName}/referrers/${digest}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [] });
    }
  });

  it('uses the config media type as artifactType of an image manifest with a subject', async () => {
    const child = makeImage('image with a subject', { subject: subjectDescriptor });
    await pushImage(t, refName, child.manifest.digest, child);
    const res = await v2(t, `${refName}/referrers/${subject.manifest.digest}?artifactType=${encodeURIComponent('application/vnd.oci.image.config.v1+json')}`);
    const index = (await res.json()) as { manifests: { digest: string; artifactType: string }[] };
    expect(index.manifests).toEqual([expect.objectContaining({ digest: child.manifest.digest, artifactType: 'application/vnd.oci.image.config.v1+json' })]);
  });

  it('accepts a referrer before its subject exists', async () => {
    const later = makeImage('subject pushed later');
    const early = artifact('application/vnd.example.early', sbomLayer, {});
    const doc = JSON.parse(early.bytes.toString());
    doc.subject = { mediaType: MEDIA.ociManifest, digest: later.manifest.digest, size: later.manifest.size };
    const m = blob(JSON.stringify(doc));
    const res = await pushManifest(t, refName, m.digest, m);
    expect(res.headers.get('oci-subject')).toBe(later.manifest.digest);
    const index = (await (await v2(t, `${refName}/referrers/${later.manifest.digest}`)).json()) as { manifests: { digest: string }[] };
    expect(index.manifests.map((d) => d.digest)).toEqual([m.digest]);
  });

  it('refuses an invalid digest with DIGEST_INVALID', async () => {
    await expectOciError(await v2(t, `${refName}/referrers/sha256:nothex`), 400, 'DIGEST_INVALID');
  });
});
