// The BlobStore contract against the file store, the S3 store (on a real S3-compatible server, s3rver) and the
// metered wrapper; then what only S3 has: multipart uploads of large blobs, server-side copies, key prefixes.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigestMismatchError, type BlobStore } from '../../src/storage/blob-store.js';
import { FileBlobStore } from '../../src/storage/file-blob-store.js';
import { MeteredBlobStore } from '../../src/storage/metered-blob-store.js';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { bytesOf, describeBlobStore } from './blob-store-contract.js';

let s3: TestS3;
const dirs: string[] = [];
let seq = 0;

beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function fileStore(): Promise<FileBlobStore> {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-blobs-'));
  dirs.push(dir);
  const s = new FileBlobStore('t', dir);
  await s.init();
  return s;
}

/** A fresh S3 store: its own key prefix in the shared bucket. */
function s3Store(options: ConstructorParameters<typeof S3BlobStore>[2] = {}): S3BlobStore {
  return new S3BlobStore('t', s3.blobStore('t', `test-${++seq}`) as never, options);
}

async function fileLeftovers(s: BlobStore): Promise<string[]> {
  const root = ((s as MeteredBlobStore).inner ?? s) as FileBlobStore;
  return [...await readdir(join(root.root, 'tmp')), ...await readdir(join(root.root, 'uploads'))];
}

async function s3Leftovers(s: BlobStore): Promise<string[]> {
  const out: string[] = [];
  for (const under of ['tmp/', 'uploads/']) for await (const o of (s as S3BlobStore).objects.list(under)) out.push(o.key);
  return out;
}

describeBlobStore('file', fileStore, { leftovers: fileLeftovers });
describeBlobStore('s3', async () => s3Store(), { leftovers: s3Leftovers });
describeBlobStore('file, metered with quotas', async () => new MeteredBlobStore(await fileStore(), {
  softQuota: { type: 'spaceUsedQuota', limit: 1 }, hardQuota: { type: 'spaceUsedQuota', limit: 10_000_000 },
}), { leftovers: fileLeftovers });

const MiB = 1024 * 1024;

/** `mib` MiB of incompressible bytes, streamed 1 MiB at a time, and their digest. */
function bigStream(mib: number): { stream: () => Readable; sha256: string; at: (offset: number, length: number) => Buffer } {
  const block = randomBytes(MiB);
  const chunk = (i: number) => {
    const c = Buffer.from(block);
    c.writeUInt32BE(i, 0); // every MiB differs
    return c;
  };
  const hash = createHash('sha256');
  for (let i = 0; i < mib; i++) hash.update(chunk(i));
  return {
    sha256: hash.digest('hex'),
    stream: () => Readable.from((function* () {
      for (let i = 0; i < mib; i++) yield chunk(i);
    })()),
    at: (offset, length) => Buffer.concat(Array.from({ length: Math.ceil((offset % MiB + length) / MiB) }, (_, k) => chunk(Math.floor(offset / MiB) + k)))
      .subarray(offset % MiB, offset % MiB + length),
  };
}

describe('S3 blob store: large blobs', () => {
  it('streams a 100 MB blob as a multipart upload straight to its content key and reads ranges across parts', async () => {
    const s = s3Store();
    const big = bigStream(100);
    const info = await s.put(big.stream(), big.sha256);
    expect(info).toEqual({ sha256: big.sha256, size: 100 * MiB });
    expect(await s.stat(big.sha256)).toEqual(info);
    const boundary = s.objects.partSize; // a part boundary of the multipart upload
    const range = await bytesOf(await s.read(big.sha256, { start: boundary - 10, end: boundary + 9 }));
    expect(range).toEqual(big.at(boundary - 10, 20));
    const whole = createHash('sha256');
    for await (const c of await s.read(big.sha256)) whole.update(c as Buffer);
    expect(whole.digest('hex')).toBe(big.sha256);
    expect(await s3Leftovers(s)).toEqual([]);
  });

  it('never shows a half-written object: a large stream that hashes wrong leaves no content key', async () => {
    const s = s3Store({ partSize: 5 * MiB });
    const big = bigStream(20);
    const wrong = createHash('sha256').update('something else').digest('hex');
    await expect(s.put(big.stream(), wrong)).rejects.toBeInstanceOf(DigestMismatchError);
    expect(await s.stat(wrong)).toBeUndefined();
    expect(await s.stat(big.sha256)).toBeUndefined();
    const keys: string[] = [];
    for await (const o of s.objects.list('')) keys.push(o.key);
    expect(keys).toEqual([]);
  });

  it('commits a large chunked upload (parts, then a server-side copy) and one of several chunks', async () => {
    const s = s3Store({ partSize: 5 * MiB });
    const big = bigStream(12);
    await s.startUpload('big');
    expect(await s.appendUpload('big', big.stream())).toBe(12 * MiB);
    const other = new S3BlobStore('t', s.settings, { partSize: 5 * MiB }); // another node: no hash in memory
    expect(await other.commitUpload('big', big.sha256)).toEqual({ sha256: big.sha256, size: 12 * MiB });
    const parts = bigStream(3);
    const all = await bytesOf(parts.stream());
    await s.startUpload('parts');
    await s.appendUpload('parts', Readable.from([all.subarray(0, MiB)]));
    await other.appendUpload('parts', Readable.from([all.subarray(MiB)])); // continued elsewhere: rehash at commit
    expect(await s.commitUpload('parts', parts.sha256)).toEqual({ sha256: parts.sha256, size: 3 * MiB });
    expect(Buffer.compare(await bytesOf(await s.read(parts.sha256)), all)).toBe(0);
    expect(await s3Leftovers(s)).toEqual([]);
  });

  it('copies above the single-copy limit part by part, or through this process where the server cannot', async () => {
    const s = s3Store({ partSize: 5 * MiB, maxSingleCopy: MiB }); // s3rver has no UploadPartCopy: the fallback runs
    const big = bigStream(8);
    expect(await s.put(big.stream())).toEqual({ sha256: big.sha256, size: 8 * MiB });
    const whole = createHash('sha256');
    for await (const c of await s.read(big.sha256)) whole.update(c as Buffer);
    expect(whole.digest('hex')).toBe(big.sha256);
    expect(await s3Leftovers(s)).toEqual([]);
  });

  it('keeps stores apart by prefix in one bucket', async () => {
    const a = s3Store();
    const b = s3Store();
    const info = await a.put(Readable.from([Buffer.from('only in a')]));
    expect(await b.stat(info.sha256)).toBeUndefined();
    const keys = await readdir(join(s3.dir, s3.bucket));
    expect(keys.some((k) => k.startsWith('test-'))).toBe(true);
  });
});
