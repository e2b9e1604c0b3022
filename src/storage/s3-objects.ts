// The few S3 operations the S3 blob store needs, over one bucket and key prefix: head, ranged get, streamed
// put (multipart above one part), server-side copy, delete, list. Knows nothing of blobs or digests.
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCopyCommand,
  AbortMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';

export interface S3ObjectsOptions {
  /** Bytes per part of a multipart upload (S3's minimum is 5 MiB). */
  partSize?: number;
  /** Largest object copied with one CopyObject (S3's limit is 5 GiB); above, a multipart copy. */
  maxSingleCopy?: number;
}

export interface ObjectEntry {
  key: string; // without the prefix
  size: number;
  modified: number;
}

const MiB = 1024 * 1024;

export class S3Objects {
  readonly partSize: number;
  readonly maxSingleCopy: number;

  constructor(readonly client: S3Client, readonly bucket: string, readonly prefix: string, options: S3ObjectsOptions = {}) {
    this.partSize = Math.max(5 * MiB, options.partSize ?? 16 * MiB);
    this.maxSingleCopy = options.maxSingleCopy ?? 5 * 1024 * MiB;
  }

  private key(name: string): string {
    return this.prefix + name;
  }

  /** Size of an object, or undefined when absent. */
  async head(name: string): Promise<number | undefined> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
      return r.ContentLength ?? 0;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Streams an object or an inclusive byte range of it; undefined when absent. */
  async get(name: string, range?: { start: number; end: number }): Promise<Readable | undefined> {
    try {
      const r = await this.client.send(new GetObjectCommand({
        Bucket: this.bucket, Key: this.key(name), Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }));
      const body = r.Body as Readable;
      // Some S3-compatible servers send more than asked for some ranges (the whole object, or up to its end).
      if (!range || r.ContentLength === range.end - range.start + 1) return body;
      const from = Number(/^bytes (\d+)-/.exec(r.ContentRange ?? '')?.[1] ?? 0);
      return slice(body, range.start - from, range.end - from);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Writes a stream of unknown length: one PUT below a part, else a multipart upload that becomes visible only
   *  when completed. If `body` fails, nothing is written (the multipart upload is aborted where S3 allows). */
  async put(name: string, body: Readable | Buffer): Promise<void> {
    const upload = new Upload({
      client: this.client, params: { Bucket: this.bucket, Key: this.key(name), Body: body },
      partSize: this.partSize, queueSize: 2, leavePartsOnError: false,
    });
    await upload.done();
  }

  async putEmpty(name: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(name), Body: Buffer.alloc(0) }));
  }

  /** Server-side copy of an object of `size` bytes; atomic for readers of `to` (visible whole or not at all). */
  async copy(from: string, to: string, size: number): Promise<void> {
    const source = `${this.bucket}/${this.key(from).split('/').map(encodeURIComponent).join('/')}`;
    if (size <= this.maxSingleCopy) {
      await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: this.key(to), CopySource: source }));
      return;
    }
    try {
      await this.multipartCopy(source, to, size);
    } catch (e) {
      // Some S3-compatible servers lack UploadPartCopy: copy through this process instead.
      if ((e as { name?: string }).name !== 'NotImplemented') throw e;
      const body = await this.get(from);
      if (!body) throw new Error(`S3 object ${this.key(from)} disappeared during a copy`);
      await this.put(to, body);
    }
  }

  private async multipartCopy(source: string, to: string, size: number): Promise<void> {
    const Key = this.key(to);
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key }));
    const partBytes = 1024 * MiB;
    try {
      const Parts = [];
      for (let start = 0, n = 1; start < size; start += partBytes, n++) {
        const end = Math.min(size, start + partBytes) - 1;
        const r = await this.client.send(new UploadPartCopyCommand({
          Bucket: this.bucket, Key, UploadId, PartNumber: n, CopySource: source, CopySourceRange: `bytes=${start}-${end}`,
        }));
        Parts.push({ PartNumber: n, ETag: r.CopyPartResult?.ETag });
      }
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts } }));
    } catch (e) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId })).catch(() => {});
      throw e;
    }
  }

  /** Deletes an object; absent is fine. */
  async delete(name: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
  }

  /** Every object whose name starts with `under`, in key order. */
  async *list(under: string): AsyncIterable<ObjectEntry> {
    let token: string | undefined;
    do {
      const r = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.key(under), ContinuationToken: token }));
      for (const o of r.Contents ?? []) {
        if (!o.Key) continue;
        yield { key: o.Key.slice(this.prefix.length), size: o.Size ?? 0, modified: o.LastModified?.getTime() ?? 0 };
      }
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
  }
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404;
}

/** Bytes start..end (inclusive) of a stream. */
function slice(source: Readable, start: number, end: number): Readable {
  return Readable.from((async function* () {
    let at = 0;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const from = Math.max(0, start - at);
      const to = Math.min(chunk.length, end + 1 - at);
      if (to > from) yield chunk.subarray(from, to);
      at += chunk.length;
      if (at > end) break;
    }
  })(), { objectMode: false });
}
