// HTTP helpers for Docker registry tests: a fetch wrapper for /v2 paths, push shortcuts (blob, manifest,
// whole image) and an assertion for the OCI error body. Everything goes over real HTTP with global fetch.
import { expect } from 'vitest';
import { blob, imageManifest, type Blob } from './oci.js';
import { adminAuth, type TestWharf } from './wharf.js';

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** Anything with a base URL: a TestWharf, or a connector port's `{ url }`. */
export type Endpoint = Pick<TestWharf, 'url'>;

export interface CallOptions extends Omit<RequestInit, 'body'> {
  /** false: no credentials (anonymous). Defaults to the admin user. */
  auth?: boolean;
  body?: Buffer | string;
}

/** fetch against `<url>/v2/<path>` (path without the leading /v2/), as admin unless auth is false. */
export function v2(endpoint: Endpoint, path: string, options: CallOptions = {}): Promise<Response> {
  const { auth = true, headers, body, ...rest } = options;
  const h = new Headers(headers);
  if (auth && !h.has('authorization')) h.set('authorization', adminAuth);
  return fetch(`${endpoint.url}/v2/${path}`, { ...rest, headers: h, body: body as BodyInit | undefined, redirect: 'manual' });
}

/** fetch of an absolute path or URL such as a Location header, as admin. */
export function follow(endpoint: Endpoint, location: string, options: CallOptions = {}): Promise<Response> {
  const url = new URL(location, endpoint.url);
  return v2({ url: url.origin }, url.pathname.replace(/^\/v2\//, '') + url.search, options);
}

/** Uploads a blob in one POST ?digest= request; expects 201. */
export async function pushBlob(endpoint: Endpoint, name: string, b: Blob): Promise<void> {
  const res = await v2(endpoint, `${name}/blobs/uploads/?digest=${b.digest}`, {
    method: 'POST', body: b.bytes, headers: { 'content-type': 'application/octet-stream' },
  });
  expect(res.status, await describe(res)).toBe(201);
}

/** PUTs a manifest under `reference` with its media type; returns the response (status not checked). */
export function putManifest(endpoint: Endpoint, name: string, reference: string, m: Blob, mediaType: string = mediaTypeOf(m)): Promise<Response> {
  return v2(endpoint, `${name}/manifests/${reference}`, { method: 'PUT', body: m.bytes, headers: { 'content-type': mediaType } });
}

/** PUTs a manifest and expects 201 with its digest. */
export async function pushManifest(endpoint: Endpoint, name: string, reference: string, m: Blob, mediaType?: string): Promise<Response> {
  const res = await putManifest(endpoint, name, reference, m, mediaType);
  expect(res.status, await describe(res)).toBe(201);
  expect(res.headers.get('docker-content-digest')).toBe(m.digest);
  return res;
}

export interface Image {
  config: Blob;
  layers: Blob[];
  manifest: Blob;
}

/** A small OCI image whose content is unique to `seed`. */
export function makeImage(seed: string, extra: Record<string, unknown> = {}): Image {
  const config = blob(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }));
  const layers = [blob(`layer one of ${seed}`), blob(`layer two of ${seed}`)];
  return { config, layers, manifest: imageManifest(config, layers, extra) };
}

/** Pushes an image's blobs and its manifest under `reference`. */
export async function pushImage(endpoint: Endpoint, name: string, reference: string, image: Image): Promise<Image> {
  for (const b of [image.config, ...image.layers]) await pushBlob(endpoint, name, b);
  await pushManifest(endpoint, name, reference, image.manifest);
  return image;
}

/** Docker schema 2 image manifest over a config and layers. */
export function dockerManifest(config: Blob, layers: Blob[]): Blob {
  return blob(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.dockerManifest,
    config: { mediaType: MEDIA.dockerConfig, size: config.size, digest: config.digest },
    layers: layers.map((l) => ({ mediaType: MEDIA.dockerLayer, size: l.size, digest: l.digest })),
  }));
}

/** An OCI index or Docker manifest list over child manifests, one platform each. */
export function indexOf(children: { manifest: Blob; mediaType: string; arch: string }[], mediaType: string = MEDIA.ociIndex, extra: Record<string, unknown> = {}): Blob {
  return blob(JSON.stringify({
    schemaVersion: 2,
    mediaType,
    manifests: children.map((c) => ({ mediaType: c.mediaType, size: c.manifest.size, digest: c.manifest.digest, platform: { architecture: c.arch, os: 'linux' } })),
    ...extra,
  }));
}

/** The mediaType a manifest declares. */
export function mediaTypeOf(m: Blob): string {
  return (JSON.parse(m.bytes.toString()) as { mediaType?: string }).mediaType ?? MEDIA.ociManifest;
}

/** A WWW-Authenticate challenge as the spec allows it: Basic or Bearer, with a realm. */
export const CHALLENGE = /^(Basic|Bearer) realm="[^"]+"/;

/** Status and body of a response, for assertion messages (reads a clone, so the body stays readable). */
export async function describe(res: Response): Promise<string> {
  return `${res.status} ${await res.clone().text()}`;
}

/** Asserts the OCI error shape `{ errors: [{ code, message, detail }] }` with this status and code; returns the error. */
export async function expectOciError(res: Response, status: number, code: string, label = ''): Promise<{ code: string; message: string; detail: unknown }> {
  const text = await res.text();
  expect(res.status, `${label} ${res.status} ${text}`).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { errors: { code: string; message: string; detail: unknown }[] };
  expect(Array.isArray(body.errors)).toBe(true);
  expect(body.errors.length).toBeGreaterThan(0);
  for (const e of body.errors) {
    expect(Object.keys(e).sort()).toEqual(['code', 'detail', 'message']);
    expect(typeof e.code).toBe('string');
    expect(typeof e.message).toBe('string');
  }
  expect(body.errors[0].code).toBe(code);
  return body.errors[0];
}

/** A wharf.yaml declaring hosted Docker repositories by name, with their write policy and connector port. */
export function hostedConfig(repos: Record<string, { writePolicy?: string; latestPolicy?: boolean; httpPort?: number }>, defaultRepository?: string): string {
  const lines = ['repositories:'];
  for (const [name, o] of Object.entries(repos)) {
    const storage = [`blobStoreName: default`, o.writePolicy && `writePolicy: ${o.writePolicy}`, o.latestPolicy !== undefined && `latestPolicy: ${o.latestPolicy}`]
      .filter(Boolean).join(', ');
    lines.push(`  - name: ${name}`, '    format: docker', '    type: hosted', `    storage: { ${storage} }`);
    if (o.httpPort) lines.push(`    docker: { httpPort: ${o.httpPort} }`);
  }
  if (defaultRepository) lines.push(`docker: { defaultRepository: ${defaultRepository} }`);
  return lines.join('\n') + '\n';
}
