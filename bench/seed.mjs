// Seeding both servers with the same listing data through the registry API, and reading it back.
// Fast on purpose (it is set-up, not a measurement): one config blob shared by every manifest, manifests
// without layers, keep-alive connections (global fetch) and several requests in flight.
import { createHash } from 'node:crypto';

const CONFIG = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
const CONFIG_DESC = {
  mediaType: 'application/vnd.oci.image.config.v1+json',
  digest: `sha256:${createHash('sha256').update(CONFIG).digest('hex')}`,
  size: CONFIG.length,
};
const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';

/** A config-only manifest; `note` (an annotation) makes distinct manifests, hence distinct digests. */
const manifest = (note) => JSON.stringify({
  schemaVersion: 2, mediaType: MANIFEST_TYPE, config: CONFIG_DESC, layers: [], annotations: { 'bench.seed': note },
});

/** Runs `fn(i)` for i in [0, count) with `concurrency` calls in flight. */
async function pool(count, concurrency, fn) {
  let next = 0;
  const worker = async () => { while (next < count) await fn(next++); };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

async function call(url, init, want, what) {
  const res = await fetch(url, init);
  const body = await res.text();
  if (res.status !== want) throw new Error(`${what}: HTTP ${res.status} (wanted ${want}): ${body.slice(0, 300)}`);
  return { headers: res.headers, body };
}

/** `reg` (a client.mjs Registry). Gives `tagImage` `tags` tags (t00000...) on one manifest, and creates
 *  `repos` repositories `<repoPrefix>/r00000...`, each with one manifest tagged `latest` whose config is
 *  mounted from `tagImage`. Returns seconds taken. */
export async function seed(reg, { tagImage, tags, repoPrefix, repos, concurrency = 16 }) {
  const t0 = performance.now();
  const auth = reg.auth;
  const put = (name, ref, body) => call(reg.url(`/v2/${name}/manifests/${ref}`), {
    method: 'PUT', headers: { ...auth, 'content-type': MANIFEST_TYPE }, body,
  }, 201, `PUT manifest ${name}:${ref}`);
  // The shared config blob, uploaded once.
  const start = await call(reg.url(`/v2/${tagImage}/blobs/uploads/`), { method: 'POST', headers: auth }, 202, 'POST upload');
  await call(reg.withDigest(start.headers.get('location'), CONFIG_DESC.digest), {
    method: 'PUT', headers: { ...auth, 'content-type': 'application/octet-stream' }, body: CONFIG,
  }, 201, 'PUT config blob');
  const tagged = manifest('tags');
  await pool(tags, concurrency, (i) => put(tagImage, `t${String(i).padStart(5, '0')}`, tagged));
  await pool(repos, concurrency, async (i) => {
    const name = `${repoPrefix}/r${String(i).padStart(5, '0')}`;
    const from = new URLSearchParams({ mount: CONFIG_DESC.digest, from: tagImage });
    await call(reg.url(`/v2/${name}/blobs/uploads/?${from}`), { method: 'POST', headers: auth }, 201, `mount config into ${name}`);
    await put(name, 'latest', manifest(name));
  });
  return (performance.now() - t0) / 1000;
}

/** GET `path` and every page its Link headers name (anonymous, as a browsing client). Returns how many
 *  entries of `key` came back and the seconds taken. */
export async function walk(reg, path, key) {
  const t0 = performance.now();
  let count = 0;
  let pages = 0;
  for (let url = reg.url(path); url;) {
    const res = await call(url, {}, 200, `GET ${url}`);
    count += JSON.parse(res.body)[key].length;
    pages++;
    const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    url = next && reg.url(next);
  }
  return { count, pages, seconds: (performance.now() - t0) / 1000 };
}
