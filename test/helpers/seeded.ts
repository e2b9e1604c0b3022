// Seeded randomness for tests that must be reproducible: a small PRNG (mulberry32) and OCI image layouts
// built from it without external tools, so a test can make dozens of distinct images in milliseconds.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** A deterministic generator of floats in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of a test run: RELIABILITY_SEED when set (to replay a failure), otherwise a fresh one. */
export function runSeed(): number {
  const fixed = process.env.RELIABILITY_SEED;
  return fixed ? Number(fixed) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
}

/** `n` pseudo-random bytes from `random`. */
export function seededBytes(random: () => number, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i += 4) {
    const v = (random() * 2 ** 32) >>> 0;
    for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = (v >>> (8 * k)) & 0xff;
  }
  return out;
}

/** A tar archive holding one regular file (ustar header, content, padding, end-of-archive blocks). */
function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => header.write(value.slice(0, length), offset, 'ascii');
  const octal = (offset: number, length: number, value: number) => field(offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
  field(0, 100, name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, content.length);
  octal(136, 12, 0);
  header.fill(' ', 148, 156); // checksum counts its own field as spaces
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const b of header) sum += b;
  field(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export interface SeededImage {
  /** skopeo source reference, `oci:<dir>:<tag>`. */
  ref: string;
  /** manifest digest. */
  digest: string;
  /** every blob of the image (config and layers), by digest. */
  blobs: string[];
  bytes: number;
}

/**
 * Writes an OCI image layout in `dir` with one image tagged `tag`: `layerSizes.length` gzipped tar layers,
 * each holding one file of seeded random bytes, and a config whose diff_ids match (so any client accepts it).
 */
export async function seededLayout(dir: string, tag: string, random: () => number, layerSizes: number[]): Promise<SeededImage> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = async (b: Buffer) => {
    const hex = sha(b);
    await writeFile(join(dir, 'blobs', 'sha256', hex), b);
    return { digest: `sha256:${hex}`, size: b.length };
  };
  const layers = [];
  const diffIds = [];
  for (const [i, size] of layerSizes.entries()) {
    const tar = tarOf(`file-${i}`, seededBytes(random, size));
    diffIds.push(`sha256:${sha(tar)}`);
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...await put(gzipSync(tar, { level: 1 })) });
  }
  const config = await put(Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: { Labels: { seed: String(random()) } }, rootfs: { type: 'layers', diff_ids: diffIds },
  })));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers,
  }));
  const m = await put(manifest);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  return {
    ref: `oci:${dir}:${tag}`, digest: m.digest, blobs: [config.digest, ...layers.map((l) => l.digest)],
    bytes: manifest.length + config.size + layers.reduce((n, l) => n + l.size, 0),
  };
}
