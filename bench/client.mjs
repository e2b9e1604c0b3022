// The registry client used for both servers: the same code pushes and pulls against Wharf and Distribution.
// Raw sockets (no node:http, fetch or undici) so that the client costs as little CPU as possible per byte.
import { createHash } from 'node:crypto';
import net from 'node:net';
import { once } from 'node:events';

export const MiB = 1024 * 1024;

/** 1 MiB of pseudo-random bytes from a seeded xorshift32: deterministic, incompressible, cheap to make. */
function block(seed) {
  const buf = Buffer.allocUnsafe(MiB);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < MiB; i += 4) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    buf.writeUInt32LE(x, i);
  }
  return buf;
}

/** A blob of `size` bytes (a multiple of 1 MiB): one random 1 MiB block repeated, so sending it costs no
 *  generation work; the digest is computed once, before any timing. A new seed gives a new digest. */
export function makeBlob(size, seed) {
  if (size % MiB) throw new Error('blob size must be a multiple of 1 MiB');
  const buf = block(seed);
  const hash = createHash('sha256');
  for (let i = 0; i < size / MiB; i++) hash.update(buf);
  return { size, buf, digest: `sha256:${hash.digest('hex')}` };
}

/** One HTTP/1.1 exchange on a fresh socket, with just enough parsing for registry answers (Content-Length
 *  bodies). node:http costs ~3x more CPU per received byte (llhttp + stream events), which on a 2-core box made
 *  the client, not the server, the limit; a raw socket reads a GiB at 2+ GB/s on one core.
 *  `body`: a Buffer, or { buf, count } to send `buf` `count` times with backpressure. `sink`: count, keep nothing. */
export function request(url, { method = 'GET', headers = {}, body, sink = false } = {}) {
  const u = new URL(url);
  const length = body === undefined ? 0 : Buffer.isBuffer(body) ? body.length : body.buf.length * body.count;
  const head = [`${method} ${u.pathname}${u.search} HTTP/1.1`, `host: ${u.host}`, 'connection: close',
    ...Object.entries({ 'content-length': length, ...headers }).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname);
    let res; // status, headers and body once the head is in
    let pending = Buffer.alloc(0);
    const chunks = [];
    const finish = () => { socket.destroy(); resolve({ ...res, body: Buffer.concat(chunks) }); };
    // res.firstByteAt: when the first byte of the body (or the head, for an empty body) arrived.
    socket.on('error', (e) => (res && res.bytes >= res.length ? finish() : reject(e)));
    socket.on('data', (c) => {
      if (!res) {
        pending = Buffer.concat([pending, c]);
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const [status, ...lines] = pending.subarray(0, end).toString('latin1').split('\r\n');
        const h = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        if (h['transfer-encoding']) return reject(new Error(`${method} ${url}: chunked answers are not supported here`));
        res = { status: Number(status.split(' ')[1]), headers: h, bytes: 0, length: method === 'HEAD' ? 0 : Number(h['content-length'] ?? 0) };
        c = pending.subarray(end + 4);
        if (!res.length) res.firstByteAt = performance.now();
      }
      if (c.length) res.firstByteAt ??= performance.now();
      res.bytes += c.length;
      if (!sink) chunks.push(c);
      if (res.bytes >= res.length) finish();
    });
    socket.on('end', () => (res ? finish() : reject(new Error(`${method} ${url}: connection closed without an answer`))));
    socket.once('connect', async () => {
      try {
        socket.write(head);
        if (Buffer.isBuffer(body)) socket.write(body);
        else if (body) for (let i = 0; i < body.count; i++) if (!socket.write(body.buf)) await once(socket, 'drain');
      } catch (e) { reject(e); }
    });
  });
}

function expect(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} (wanted ${status}): ${res.body.toString().slice(0, 300)}`);
  return res;
}

/** A registry endpoint as the client sees it: base URL and the Authorization header writes need. */
export class Registry {
  constructor(base, auth) {
    this.base = base;
    this.auth = auth ? { authorization: auth } : {};
  }

  url(path) { return new URL(path, this.base).href; }

  withDigest(location, digest) {
    const u = new URL(location, this.base);
    u.searchParams.set('digest', digest);
    return u.href;
  }

  /** `GET /v2/` with credentials, as docker/containerd do before a push (also warms Wharf's login cache). */
  async ping() {
    expect(await request(this.url('/v2/'), { headers: this.auth }), 200, 'GET /v2/');
  }

  async startUpload(name) {
    const res = expect(await request(this.url(`/v2/${name}/blobs/uploads/`), { method: 'POST', headers: this.auth }), 202, 'POST upload');
    return res.headers.location;
  }

  /** POST, then one monolithic `PUT ?digest=` streaming the whole blob. Returns seconds taken. */
  async pushMonolithic(name, blob) {
    const t0 = performance.now();
    const location = await this.startUpload(name);
    const res = await request(this.withDigest(location, blob.digest), {
      method: 'PUT',
      headers: { ...this.auth, 'content-type': 'application/octet-stream' },
      body: { buf: blob.buf, count: blob.size / MiB },
    });
    expect(res, 201, 'PUT blob');
    return (performance.now() - t0) / 1000;
  }

  /** POST, then PATCHes of `chunk` bytes with Content-Range, then `PUT ?digest=` with no body. Returns seconds. */
  async pushChunked(name, blob, chunk) {
    if (chunk % MiB) throw new Error('chunk size must be a multiple of 1 MiB');
    const t0 = performance.now();
    let location = await this.startUpload(name);
    for (let off = 0; off < blob.size; off += chunk) {
      const len = Math.min(chunk, blob.size - off);
      const res = expect(await request(new URL(location, this.base).href, {
        method: 'PATCH',
        headers: { ...this.auth, 'content-type': 'application/octet-stream', 'content-range': `${off}-${off + len - 1}` },
        body: { buf: blob.buf, count: len / MiB },
      }), 202, 'PATCH blob');
      location = res.headers.location;
    }
    expect(await request(this.withDigest(location, blob.digest), { method: 'PUT', headers: this.auth }), 201, 'PUT blob');
    return (performance.now() - t0) / 1000;
  }

  /** GETs a blob, counting and discarding its bytes. Returns seconds. */
  async pull(name, blob) {
    return (await this.pullTimed(name, blob)).seconds;
  }

  /** GETs a blob: seconds in all, and to the first byte of the body (`ttfb`). */
  async pullTimed(name, blob) {
    const t0 = performance.now();
    const res = expect(await request(this.url(`/v2/${name}/blobs/${blob.digest}`), { sink: true }), 200, `GET blob from ${name}`);
    if (res.bytes !== blob.size) throw new Error(`GET blob from ${name}: got ${res.bytes} bytes, wanted ${blob.size}`);
    return { seconds: (performance.now() - t0) / 1000, ttfb: (res.firstByteAt - t0) / 1000 };
  }

  /** Pushes a small OCI image (config + one 64 KiB layer + manifest) under `name:tag`; returns the manifest digest. */
  async pushSmallImage(name, tag) {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    const layer = block(42).subarray(0, 64 * 1024);
    const desc = (mediaType, bytes) => ({ mediaType, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length });
    const cfg = desc('application/vnd.oci.image.config.v1+json', config);
    const lay = desc('application/vnd.oci.image.layer.v1.tar+gzip', layer);
    for (const [d, bytes] of [[cfg, config], [lay, layer]]) {
      const location = await this.startUpload(name);
      expect(await request(this.withDigest(location, d.digest), {
        method: 'PUT', headers: { ...this.auth, 'content-type': 'application/octet-stream' }, body: bytes,
      }), 201, 'PUT small blob');
    }
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cfg, layers: [lay] }));
    const res = expect(await request(this.url(`/v2/${name}/manifests/${tag}`), {
      method: 'PUT', headers: { ...this.auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: manifest,
    }), 201, 'PUT manifest');
    return res.headers['docker-content-digest'];
  }
}

/** Accept header a modern client (containerd, podman) sends for a manifest. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
