// File system blob store. Layout under its root:
//
//   <root>/
//     content/sha256/<first 2 hex>/<64 hex>   committed blobs, immutable, written once by rename
//     uploads/<id>                            resumable uploads, appended in place
//     tmp/<random>                            whole-stream puts in progress
//
// A blob becomes visible only by an atomic rename of a fully written, fsynced and verified file,
// so a crash at any point leaves either no blob or a whole one.
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BlobNotFoundError, BlobStoreFullError, DigestMismatchError, UploadBusyError, UploadNotFoundError,
  type BlobInfo, type BlobStore, type ByteRange,
} from './blob-store.js';
import { BlobReadStream } from './blob-read-stream.js';

const READ_CHUNK = 1 << 20;
const TMP_MAX_AGE_MS = 24 * 3600_000;

/** Incremental hash of an upload held by this process; valid only while `hashed` equals the file size. */
interface HashState {
  hash: Hash;
  hashed: number;
}

export class FileBlobStore implements BlobStore {
  private readonly hashes = new Map<string, HashState>();
  private readonly appending = new Set<string>();

  constructor(readonly name: string, readonly root: string) {}

  /** Creates the directories and removes stale temp files; safe to call twice. */
  async init(): Promise<void> {
    await Promise.all(['content/sha256', 'uploads', 'tmp'].map((d) => mkdir(join(this.root, d), { recursive: true })));
    await this.removeStaleTemp();
  }

  /**
   * A put killed mid-way (crash, SIGKILL) leaves its temp file behind and nothing else ever names it. A put
   * in progress keeps writing, so a file untouched for TMP_MAX_AGE_MS is dead; younger ones may belong to
   * another process on this directory (a CLI command opens the stores while the server runs), so they stay.
   */
  private async removeStaleTemp(): Promise<void> {
    const dir = join(this.root, 'tmp');
    const before = Date.now() - TMP_MAX_AGE_MS;
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const s = await stat(join(dir, name)).catch(() => undefined);
      if (s && s.mtimeMs < before) await rm(join(dir, name), { force: true });
    }
  }

  private blobPath(sha256: string): string {
    return join(this.root, 'content', 'sha256', sha256.slice(0, 2), sha256);
  }

  private uploadPath(id: string): string {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new UploadNotFoundError(id);
    return join(this.root, 'uploads', id);
  }

  async stat(sha256: string): Promise<BlobInfo | undefined> {
    try {
      const s = await stat(this.blobPath(sha256));
      return { sha256, size: s.size };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async read(sha256: string, range?: ByteRange): Promise<Readable> {
    const handle = await open(this.blobPath(sha256), 'r').catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'ENOENT' ? new BlobNotFoundError(sha256) : e;
    });
    // Reuses its buffers when piped into an HTTP response (blob-read-stream.ts); its `end` is exclusive.
    return new BlobReadStream(handle, range?.start ?? 0, range ? range.end + 1 : Infinity);
  }

  async put(source: Readable, expected?: string): Promise<BlobInfo> {
    const file = join(this.root, 'tmp', randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    const out = createWriteStream(file, { highWaterMark: READ_CHUNK });
    try {
      await pipeline(source, hashing(hash, (n) => (size += n)), out);
      return await this.commitFile(file, hash.digest('hex'), size, expected);
    } catch (e) {
      // A source that fails at once can beat the file's open: wait for it to close, or rm would run first.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await rm(file, { force: true });
      throw this.full(e) ?? e;
    }
  }

  async uploadSize(id: string): Promise<number | undefined> {
    try {
      return (await stat(this.uploadPath(id))).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || e instanceof UploadNotFoundError) return undefined;
      throw e;
    }
  }

  async startUpload(id: string): Promise<void> {
    const h = await open(this.uploadPath(id), 'wx');
    await h.close();
    this.hashes.set(id, { hash: createHash('sha256'), hashed: 0 });
  }

  async appendUpload(id: string, source: Readable): Promise<number> {
    const path = this.uploadPath(id);
    if (this.appending.has(id)) throw new UploadBusyError(id);
    const before = await this.uploadSize(id);
    if (before === undefined) throw new UploadNotFoundError(id);
    this.appending.add(id);
    try {
      let state = this.hashes.get(id);
      if (state && state.hashed !== before) state = undefined; // a broken earlier append: rehash at commit
      const counter = state ? hashing(state.hash, (n) => (state!.hashed += n)) : hashing(undefined, () => {});
      if (!state) this.hashes.delete(id);
      await pipeline(source, counter, createWriteStream(path, { flags: 'a', highWaterMark: READ_CHUNK }));
      return (await stat(path)).size;
    } catch (e) {
      const full = this.full(e);
      if (!full) throw e;
      // A partial upload on a full disk would keep it full for every other writer: drop it, the client starts over.
      this.hashes.delete(id);
      await rm(path, { force: true });
      throw full;
    } finally {
      this.appending.delete(id);
    }
  }

  async commitUpload(id: string, expected?: string): Promise<BlobInfo> {
    const path = this.uploadPath(id);
    const size = await this.uploadSize(id);
    if (size === undefined) throw new UploadNotFoundError(id);
    const state = this.hashes.get(id);
    this.hashes.delete(id);
    const sha256 = state && state.hashed === size ? state.hash.digest('hex') : await hashFile(path);
    try {
      return await this.commitFile(path, sha256, size, expected);
    } catch (e) {
      await rm(path, { force: true });
      throw this.full(e) ?? e;
    }
  }

  async cancelUpload(id: string): Promise<void> {
    this.hashes.delete(id);
    await rm(this.uploadPath(id), { force: true }).catch(() => {});
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.blobPath(sha256), { force: true });
  }

  async availableSpace(): Promise<number> {
    const s = await statfs(this.root);
    return s.bavail * s.bsize;
  }

  async *list(): AsyncIterable<BlobInfo & { modified: number }> {
    const base = join(this.root, 'content', 'sha256');
    for (const prefix of await readdir(base).catch(() => [] as string[])) {
      for (const sha256 of await readdir(join(base, prefix)).catch(() => [] as string[])) {
        const s = await stat(join(base, prefix, sha256)).catch(() => undefined);
        if (s) yield { sha256, size: s.size, modified: s.mtimeMs };
      }
    }
  }

  /** The error to throw instead of `e` when `e` says the file system is full. */
  private full(e: unknown): BlobStoreFullError | undefined {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOSPC' || code === 'EDQUOT' ? new BlobStoreFullError(this.name) : undefined;
  }

  /** fsyncs `file`, checks its digest and renames it into the content tree (or drops it when already there). */
  private async commitFile(file: string, sha256: string, size: number, expected?: string): Promise<BlobInfo> {
    if (expected && expected !== sha256) throw new DigestMismatchError(expected, sha256);
    const target = this.blobPath(sha256);
    if (await this.stat(sha256)) {
      await rm(file, { force: true });
      return { sha256, size };
    }
    const h = await open(file, 'r+');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
    const dir = join(this.root, 'content', 'sha256', sha256.slice(0, 2));
    await mkdir(dir, { recursive: true });
    await rename(file, target);
    const d = await open(dir, 'r');
    try {
      await d.sync(); // make the rename itself durable
    } finally {
      await d.close();
    }
    return { sha256, size };
  }
}

function hashing(hash: Hash | undefined, count: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash?.update(chunk);
      count(chunk.length);
      done(null, chunk);
    },
  });
}

async function hashFile(path: string): Promise<string> {
  // Read to the end here: a pipeline ending in a pass-through Transform stalls once nobody reads its output.
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
