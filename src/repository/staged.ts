// A stream written into a blob store's upload area: hashed as it arrives, durable, but not yet a blob anyone
// can see. Its first bytes are kept so a format can look at the content (content-type sniffing) before it
// decides to commit it as a blob or cancel it. Used by PUT-style uploads and the multipart component upload.
import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { BlobInfo, BlobStore } from '../storage/blob-store.js';
import { InvalidError } from './errors.js';

/** How many leading bytes are kept for inspection. */
export const HEAD_BYTES = 8192;

export class StagedFile {
  private constructor(readonly blobs: BlobStore, private readonly id: string, readonly size: number, readonly head: Buffer) {}

  /**
   * Streams `source` into a new upload of `blobs` (with backpressure; memory does not grow with the size).
   * With `expectedSize` (a Content-Length), a shorter or longer body is refused with InvalidError. On any
   * failure nothing is left behind.
   */
  static async from(blobs: BlobStore, source: Readable, expectedSize?: number): Promise<StagedFile> {
    const id = randomUUID();
    const head: Buffer[] = [];
    let kept = 0;
    const capture = new Transform({
      transform(chunk: Buffer, _enc, done) {
        if (kept < HEAD_BYTES) {
          const part = chunk.subarray(0, HEAD_BYTES - kept);
          head.push(Buffer.from(part));
          kept += part.length;
        }
        done(null, chunk);
      },
    });
    source.on('error', (err) => capture.destroy(err));
    source.on('aborted', () => capture.destroy(new Error('the client closed the connection before the end of the body')));
    await blobs.startUpload(id);
    try {
      const size = await blobs.appendUpload(id, source.pipe(capture));
      if (expectedSize !== undefined && size !== expectedSize) {
        throw new InvalidError('SIZE_INVALID', `received ${size} bytes, but Content-Length announced ${expectedSize}`);
      }
      return new StagedFile(blobs, id, size, Buffer.concat(head));
    } catch (err) {
      await blobs.cancelUpload(id).catch(() => {});
      throw err;
    }
  }

  /** Turns the upload into a committed blob (stored once per blob store); the upload is gone afterwards. */
  commit(): Promise<BlobInfo> {
    return this.blobs.commitUpload(this.id);
  }

  /** Drops the upload; safe after commit and when called twice. */
  async cancel(): Promise<void> {
    await this.blobs.cancelUpload(this.id).catch(() => {});
  }
}
