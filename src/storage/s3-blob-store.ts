// S3 blob store. Object layout under the store's prefix in its bucket:
//
//   <prefix>
//     content/sha256/<first 2 hex>/<64 hex>   committed blobs, immutable
//     uploads/<id>/started                    an upload exists (empty object)
//     uploads/<id>/chunk-<offset, 15 digits>  one append, written whole or not at all
//     uploads/<id>/hash                       "<size> <sha256>" of the chunks so far, when one process hashed them all
//     tmp/<uuid>                              puts of unknown digest, copied to content/ once hashed
//
// A content key only ever receives a whole, verified object: either a multipart upload completed after the
// stream hashed to the expected digest, or a server-side copy of bytes already hashed. S3 objects cannot be
// appended to, so a resumable upload is a list of chunk objects; its state lives entirely in the bucket (and
// the upload_sessions table), so any node can continue or commit it.
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  BlobNotFoundError, DigestMismatchError, UploadBusyError, UploadNotFoundError,
  type BlobInfo, type BlobStore, type ByteRange,
} from './blob-store.js';
import { S3Objects, type S3ObjectsOptions } from './s3-objects.js';
import { s3Client, type S3Settings } from './s3-settings.js';

const CONTENT = 'content/sha256/';
const OFFSET_DIGITS = 15;

interface HashState {
  hash: Hash;
  hashed: number;
}

export class S3BlobStore implements BlobStore {
  readonly objects: S3Objects;
  private readonly hashes = new Map<string, HashState>();
  private readonly appending = new Set<string>();

  constructor(readonly name: string, readonly settings: S3Settings, options: S3ObjectsOptions & { client?: S3Client } = {}) {
    const prefix = settings.prefix ? `${settings.prefix.replace(/^\/+|\/+$/g, '')}/` : '';
    this.objects = new S3Objects(options.client ?? s3Client(settings), settings.bucket, prefix, options);
  }

  private blobKey(sha256: string): string {
    return `${CONTENT}${sha256.slice(0, 2)}/${sha256}`;
  }

  private uploadDir(id: string): string {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new UploadNotFoundError(id);
    return `uploads/${id}/`;
  }

  async stat(sha256: string): Promise<BlobInfo | undefined> {
    const size = await this.objects.head(this.blobKey(sha256));
    return size === undefined ? undefined : { sha256, size };
  }

  async read(sha256: string, range?: ByteRange): Promise<Readable> {
    const body = await this.objects.get(this.blobKey(sha256), range);
    if (!body) throw new BlobNotFoundError(sha256);
    return body;
  }

  async put(source: Readable, expected?: string): Promise<BlobInfo> {
    if (expected && (await this.stat(expected))) {
      // Already stored: still read and check the bytes, as the caller expects a verdict on them.
      const hash = createHash('sha256');
      let size = 0;
      await pipeline(source, hashing(hash, (n) => (size += n)), sink());
      const actual = hash.digest('hex');
      if (actual !== expected) throw new DigestMismatchError(expected, actual);
      return { sha256: actual, size };
    }
    if (expected) {
      // Known digest: straight to its key; the upload completes only if the stream hashed to it.
      const size = await this.upload(this.blobKey(expected), source, expected);
      return { sha256: expected, size };
    }
    const tmp = `tmp/${randomUUID()}`;
    const hash = createHash('sha256');
    let size = 0;
    await this.upload(tmp, source, undefined, hash, (n) => (size += n));
    try {
      const sha256 = hash.digest('hex');
      if (!(await this.stat(sha256))) await this.objects.copy(tmp, this.blobKey(sha256), size);
      return { sha256, size };
    } finally {
      await this.objects.delete(tmp);
    }
  }

  /** Streams `source` into object `key`, hashing it; with `expected`, a different digest fails the stream (and
   *  so the upload, which then never becomes visible). Returns the byte count. */
  private async upload(key: string, source: Readable, expected?: string, hash = createHash('sha256'), count: (n: number) => void = () => {}): Promise<number> {
    let size = 0;
    let failure: Error | undefined;
    // A generator rather than a pipe: nothing is read (so no error can go unheard) until the upload reads.
    const checked = Readable.from((async function* () {
      try {
        for await (const chunk of source as AsyncIterable<Buffer>) {
          hash.update(chunk);
          size += chunk.length;
          count(chunk.length);
          yield chunk;
        }
      } catch (e) {
        throw (failure ??= e as Error);
      }
      const actual = hash.copy().digest('hex');
      if (expected && actual !== expected) throw (failure = new DigestMismatchError(expected, actual));
    })(), { objectMode: false });
    try {
      await this.objects.put(key, checked);
    } catch (e) {
      throw failure ?? e; // the stream's own error rather than a failed abort of the multipart upload
    }
    if (failure) throw failure;
    return size;
  }

  async uploadSize(id: string): Promise<number | undefined> {
    try {
      return (await this.chunks(id))?.size;
    } catch (e) {
      if (e instanceof UploadNotFoundError) return undefined;
      throw e;
    }
  }

  /** The chunks of an upload in offset order, their total size and the recorded hash; undefined when there is no upload. */
  private async chunks(id: string): Promise<{ keys: string[]; size: number; hash?: string } | undefined> {
    const dir = this.uploadDir(id);
    let started = false;
    let size = 0;
    let hashKey = false;
    const keys: string[] = [];
    for await (const o of this.objects.list(dir)) {
      const leaf = o.key.slice(dir.length);
      if (leaf === 'started') started = true;
      else if (leaf === 'hash') hashKey = true;
      else if (leaf.startsWith('chunk-')) {
        keys.push(o.key);
        size += o.size;
      }
    }
    if (!started) return undefined;
    let hash: string | undefined;
    if (hashKey) {
      const body = await this.objects.get(`${dir}hash`);
      const [recordedSize, sha256] = body ? (await text(body)).split(' ') : [];
      if (Number(recordedSize) === size) hash = sha256;
    }
    return { keys, size, hash };
  }

  async startUpload(id: string): Promise<void> {
    await this.objects.putEmpty(`${this.uploadDir(id)}started`);
    this.hashes.set(id, { hash: createHash('sha256'), hashed: 0 });
  }

  async appendUpload(id: string, source: Readable): Promise<number> {
    const dir = this.uploadDir(id);
    if (this.appending.has(id)) throw new UploadBusyError(id);
    this.appending.add(id);
    try {
      const before = await this.uploadSize(id);
      if (before === undefined) throw new UploadNotFoundError(id);
      let state = this.hashes.get(id);
      if (!state || state.hashed !== before) {
        state = undefined; // another process appended, or an earlier append failed: rehash at commit
        this.hashes.delete(id);
      }
      const shadow = state ? state.hash.copy() : undefined; // the hash must not advance unless the chunk is stored
      let received = 0;
      await this.upload(`${dir}chunk-${String(before).padStart(OFFSET_DIGITS, '0')}`, source, undefined, shadow, (n) => (received += n));
      const after = before + received;
      if (state && shadow) {
        this.hashes.set(id, { hash: shadow, hashed: after });
        // Lets whichever node commits skip reading the chunks back.
        await this.objects.put(`${dir}hash`, Buffer.from(`${after} ${shadow.copy().digest('hex')}`));
      }
      return after;
    } finally {
      this.appending.delete(id);
    }
  }

  async commitUpload(id: string, expected?: string): Promise<BlobInfo> {
    const upload = await this.chunks(id);
    if (!upload) throw new UploadNotFoundError(id);
    const state = this.hashes.get(id);
    this.hashes.delete(id);
    try {
      const sha256 = state && state.hashed === upload.size ? state.hash.digest('hex')
        : upload.hash ?? await hashStream(this.concat(upload.keys));
      if (expected && expected !== sha256) throw new DigestMismatchError(expected, sha256);
      if (!(await this.stat(sha256))) {
        const key = this.blobKey(sha256);
        if (upload.keys.length === 1) await this.objects.copy(upload.keys[0], key, upload.size);
        else await this.upload(key, this.concat(upload.keys), sha256); // verified again while written
      }
      return { sha256, size: upload.size };
    } finally {
      await this.removeUpload(id);
    }
  }

  /** The chunks' bytes, one after the other. */
  private concat(keys: string[]): Readable {
    const objects = this.objects;
    return Readable.from((async function* () {
      for (const key of keys) {
        const body = await objects.get(key);
        if (!body) throw new Error(`upload chunk ${key} disappeared`);
        yield* body;
      }
    })());
  }

  async cancelUpload(id: string): Promise<void> {
    this.hashes.delete(id);
    try {
      await this.removeUpload(id);
    } catch (e) {
      if (!(e instanceof UploadNotFoundError)) throw e;
    }
  }

  private async removeUpload(id: string): Promise<void> {
    const keys: string[] = [];
    for await (const o of this.objects.list(this.uploadDir(id))) keys.push(o.key);
    // The marker last: until it goes, the upload still exists and can be cancelled again.
    keys.sort((a, b) => Number(a.endsWith('/started')) - Number(b.endsWith('/started')));
    for (const key of keys) await this.objects.delete(key);
  }

  async delete(sha256: string): Promise<void> {
    await this.objects.delete(this.blobKey(sha256));
  }

  async *list(): AsyncIterable<BlobInfo & { modified: number }> {
    for await (const o of this.objects.list(CONTENT)) {
      const sha256 = o.key.slice(o.key.lastIndexOf('/') + 1);
      if (/^[0-9a-f]{64}$/.test(sha256)) yield { sha256, size: o.size, modified: o.modified };
    }
  }
}

function hashing(hash: Hash, count: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      count(chunk.length);
      done(null, chunk);
    },
  });
}

function sink(): Writable {
  return new Writable({ write: (_c, _e, done) => done() });
}

async function hashStream(source: Readable): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(source, hashing(hash, () => {}), sink());
  return hash.digest('hex');
}

async function text(source: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of source) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}
