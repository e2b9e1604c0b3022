// The BlobStore contract (src/storage/blob-store.ts), one suite for every implementation: each test file calls
// describeBlobStore() with a factory for fresh, empty stores.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BlobNotFoundError, DigestMismatchError, UploadNotFoundError, type BlobStore } from '../../src/storage/blob-store.js';

export const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export async function bytesOf(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function listed(store: BlobStore): Promise<string[]> {
  const out: string[] = [];
  for await (const b of store.list()) out.push(b.sha256);
  return out.sort();
}

/** A stream that sends `head` then fails. */
function broken(head: Buffer): Readable {
  return new Readable({
    read() {
      this.push(head);
      this.destroy(new Error('connection reset'));
    },
  });
}

export interface ContractOptions {
  /** Extra check after each test-visible write that no temp or upload leftovers exist. */
  leftovers?: (store: BlobStore) => Promise<string[]>;
}

export function describeBlobStore(kind: string, make: () => Promise<BlobStore>, options: ContractOptions = {}): void {
  const clean = async (s: BlobStore) => {
    if (options.leftovers) expect(await options.leftovers(s)).toEqual([]);
  };

  describe(`BlobStore contract: ${kind}`, () => {
    it('stores by content, dedupes, stats, lists, and reads whole and by range', async () => {
      const s = await make();
      const bytes = Buffer.from('hello world');
      const a = await s.put(Readable.from([bytes]));
      const b = await s.put(Readable.from([bytes]), sha(bytes));
      expect(a).toEqual({ sha256: sha(bytes), size: 11 });
      expect(b).toEqual(a);
      expect(await s.stat(a.sha256)).toEqual(a);
      expect((await bytesOf(await s.read(a.sha256))).toString()).toBe('hello world');
      expect((await bytesOf(await s.read(a.sha256, { start: 6, end: 10 }))).toString()).toBe('world');
      expect((await bytesOf(await s.read(a.sha256, { start: 0, end: 0 }))).toString()).toBe('h');
      expect(await listed(s)).toEqual([a.sha256]);
      for await (const e of s.list()) expect(e.modified).toBeGreaterThan(Date.now() - 600_000);
      await clean(s);
    });

    it('answers absent blobs: stat undefined, read BlobNotFoundError, delete is fine', async () => {
      const s = await make();
      const missing = sha(Buffer.from('nothing'));
      expect(await s.stat(missing)).toBeUndefined();
      await expect(s.read(missing)).rejects.toBeInstanceOf(BlobNotFoundError);
      await s.delete(missing);
    });

    it('refuses a digest mismatch and keeps nothing, with or without the right bytes stored', async () => {
      const s = await make();
      await expect(s.put(Readable.from([Buffer.from('x')]), sha(Buffer.from('y')))).rejects.toBeInstanceOf(DigestMismatchError);
      expect(await s.stat(sha(Buffer.from('x')))).toBeUndefined();
      expect(await s.stat(sha(Buffer.from('y')))).toBeUndefined();
      await s.put(Readable.from([Buffer.from('y')]));
      await expect(s.put(Readable.from([Buffer.from('x')]), sha(Buffer.from('y')))).rejects.toBeInstanceOf(DigestMismatchError);
      expect(await listed(s)).toEqual([sha(Buffer.from('y'))]);
      await clean(s);
    });

    it('keeps nothing when the source stream breaks', async () => {
      const s = await make();
      await expect(s.put(broken(Buffer.from('partial')))).rejects.toThrow(/connection reset/);
      await expect(s.put(broken(Buffer.from('partial')), sha(Buffer.from('partial and more')))).rejects.toThrow(/connection reset/);
      expect(await listed(s)).toEqual([]);
      await clean(s);
    });

    it('stores the empty blob', async () => {
      const s = await make();
      const info = await s.put(Readable.from([]));
      expect(info).toEqual({ sha256: sha(Buffer.alloc(0)), size: 0 });
      expect((await bytesOf(await s.read(info.sha256))).length).toBe(0);
    });

    it('deletes a blob', async () => {
      const s = await make();
      const info = await s.put(Readable.from([Buffer.from('to delete')]));
      await s.delete(info.sha256);
      expect(await s.stat(info.sha256)).toBeUndefined();
      expect(await listed(s)).toEqual([]);
    });

    it('assembles a resumable upload from several appends, on a fresh instance too', async () => {
      const s = await make();
      await s.startUpload('u1');
      expect(await s.uploadSize('u1')).toBe(0);
      expect(await s.appendUpload('u1', Readable.from([Buffer.from('abc')]))).toBe(3);
      expect(await s.appendUpload('u1', Readable.from([Buffer.from('def'), Buffer.from('g')]))).toBe(7);
      expect(await s.uploadSize('u1')).toBe(7);
      const info = await s.commitUpload('u1', sha(Buffer.from('abcdefg')));
      expect(info).toEqual({ sha256: sha(Buffer.from('abcdefg')), size: 7 });
      expect((await bytesOf(await s.read(info.sha256))).toString()).toBe('abcdefg');
      expect(await s.uploadSize('u1')).toBeUndefined();
      await clean(s);
    });

    it('commits a single-append upload and an empty one, and dedupes against stored content', async () => {
      const s = await make();
      const bytes = randomBytes(100_000);
      await s.startUpload('one');
      await s.appendUpload('one', Readable.from([bytes]));
      expect((await s.commitUpload('one')).sha256).toBe(sha(bytes));
      await s.startUpload('again');
      await s.appendUpload('again', Readable.from([bytes]));
      expect(await s.commitUpload('again', sha(bytes))).toEqual({ sha256: sha(bytes), size: bytes.length });
      await s.startUpload('empty');
      expect(await s.commitUpload('empty')).toEqual({ sha256: sha(Buffer.alloc(0)), size: 0 });
      expect(await listed(s)).toEqual([sha(bytes), sha(Buffer.alloc(0))].sort());
      expect(Buffer.compare(await bytesOf(await s.read(sha(bytes))), bytes)).toBe(0);
      await clean(s);
    });

    it('drops an upload whose digest mismatches, and a cancelled one', async () => {
      const s = await make();
      await s.startUpload('bad');
      await s.appendUpload('bad', Readable.from([Buffer.from('abc')]));
      await expect(s.commitUpload('bad', sha(Buffer.from('abd')))).rejects.toBeInstanceOf(DigestMismatchError);
      expect(await s.uploadSize('bad')).toBeUndefined();
      await s.startUpload('gone');
      await s.appendUpload('gone', Readable.from([Buffer.from('abc')]));
      await s.cancelUpload('gone');
      await s.cancelUpload('gone');
      expect(await s.uploadSize('gone')).toBeUndefined();
      expect(await listed(s)).toEqual([]);
      await clean(s);
    });

    it('refuses unknown uploads', async () => {
      const s = await make();
      expect(await s.uploadSize('nope')).toBeUndefined();
      expect(await s.uploadSize('../escape')).toBeUndefined();
      await expect(s.appendUpload('nope', Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(UploadNotFoundError);
      await expect(s.commitUpload('nope')).rejects.toBeInstanceOf(UploadNotFoundError);
    });

    it('keeps the upload usable after a broken append: its size is whole appends (plus, for some stores, the bytes that arrived)', async () => {
      const s = await make();
      await s.startUpload('resume');
      await s.appendUpload('resume', Readable.from([Buffer.from('abc')]));
      await expect(s.appendUpload('resume', broken(Buffer.from('xyz')))).rejects.toThrow();
      const size = await s.uploadSize('resume');
      expect([3, 6]).toContain(size);
      const rest = Buffer.from('abcxyz').subarray(size!);
      await s.appendUpload('resume', Readable.from([rest, Buffer.from('!')]));
      expect((await s.commitUpload('resume', sha(Buffer.from('abcxyz!')))).size).toBe(7);
      await clean(s);
    });
  });
}
