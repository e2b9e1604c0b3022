import { mkdtempSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { DigestMismatchError } from './blob-store.js';
import { FileBlobStore } from './file-blob-store.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
async function text(r: Readable) {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('FileBlobStore', () => {
  const store = async () => {
    const s = new FileBlobStore('t', mkdtempSync(join(tmpdir(), 'blobs-')));
    await s.init();
    return s;
  };

  it('stores by content, dedupes and reads ranges', async () => {
    const s = await store();
    const bytes = Buffer.from('hello world');
    const a = await s.put(Readable.from([bytes]));
    const b = await s.put(Readable.from([bytes]), sha(bytes));
    expect(a).toEqual({ sha256: sha(bytes), size: 11 });
    expect(b).toEqual(a);
    expect(await text(await s.read(a.sha256, { start: 6, end: 10 }))).toBe('world');
    expect((await readdir(join(s.root, 'tmp')))).toEqual([]);
  });

  it('refuses a digest mismatch and keeps nothing', async () => {
    const s = await store();
    await expect(s.put(Readable.from([Buffer.from('x')]), sha(Buffer.from('y')))).rejects.toBeInstanceOf(DigestMismatchError);
    expect(await s.stat(sha(Buffer.from('x')))).toBeUndefined();
    expect((await readdir(join(s.root, 'tmp')))).toEqual([]);
  });

  it('assembles resumable uploads, rehashing when the in-memory state is lost', async () => {
    const s = await store();
    await s.startUpload('u1');
    expect(await s.appendUpload('u1', Readable.from([Buffer.from('abc')]))).toBe(3);
    const fresh = new FileBlobStore('t', s.root); // another node, or a restarted one
    expect(await fresh.appendUpload('u1', Readable.from([Buffer.from('def')]))).toBe(6);
    const info = await fresh.commitUpload('u1', sha(Buffer.from('abcdef')));
    expect(info.size).toBe(6);
    expect(await text(await s.read(info.sha256))).toBe('abcdef');
    expect(await s.uploadSize('u1')).toBeUndefined();
  });

  it('rehashes an upload larger than a stream buffer when another node wrote part of it', async () => {
    // Each node sees the other's appends only as a larger file: the commit must read back megabytes.
    const s = await store();
    const other = new FileBlobStore('t', s.root);
    const parts = [Buffer.alloc(1536 * 1024, 1), Buffer.alloc(1024 * 1024, 2)];
    await s.startUpload('big');
    await other.appendUpload('big', Readable.from([parts[0]]));
    await s.appendUpload('big', Readable.from([parts[1]]));
    const info = await s.commitUpload('big', sha(Buffer.concat(parts)));
    expect(info.size).toBe(2560 * 1024);
  });
});
