// The blob store interface: bytes by SHA-256, knowing nothing of formats. Implementations are registered
// by type in blob-stores.ts. Every method is safe to call concurrently for different digests/uploads.
import type { Readable } from 'node:stream';

export interface BlobInfo {
  sha256: string; // lowercase hex
  size: number;
}

/** Inclusive byte range, as in HTTP Range. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobStore {
  readonly name: string;
  /** Size of a committed blob, or undefined when absent. */
  stat(sha256: string): Promise<BlobInfo | undefined>;
  /** Streams a committed blob (or a range of it). Throws BlobNotFoundError when absent. */
  read(sha256: string, range?: ByteRange): Promise<Readable>;
  /** Ingests a whole stream as one blob (hashed while written, durable before it returns). With `expected`,
   *  a different digest throws DigestMismatchError and nothing is kept. Storing existing bytes again is a no-op. */
  put(source: Readable, expected?: string): Promise<BlobInfo>;
  /** Bytes received so far by a resumable upload, or undefined when there is none with that id. */
  uploadSize(id: string): Promise<number | undefined>;
  /** Creates an empty resumable upload. */
  startUpload(id: string): Promise<void>;
  /** Appends a stream to an upload and returns its new size. Bytes that arrived before a broken stream stay. */
  appendUpload(id: string, source: Readable): Promise<number>;
  /** Turns an upload into a committed blob (see put for `expected`); the upload is gone afterwards either way
   *  unless the digest mismatched, in which case it is removed too. */
  commitUpload(id: string, expected?: string): Promise<BlobInfo>;
  /** Removes an upload; absent is fine. */
  cancelUpload(id: string): Promise<void>;
  /** Removes a committed blob; absent is fine. Callers make sure nothing references it. */
  delete(sha256: string): Promise<void>;
  /** Every committed blob, with its modification time (for grace periods). */
  list(): AsyncIterable<BlobInfo & { modified: number }>;
  /** Free bytes where the store writes; absent when unbounded (S3). */
  availableSpace?(): Promise<number>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly sha256: string) {
    super(`blob sha256:${sha256} not found`);
  }
}

export class DigestMismatchError extends Error {
  constructor(readonly expected: string, readonly actual: string) {
    super(`content digest sha256:${actual} does not match the expected sha256:${expected}`);
  }
}

export class UploadNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`upload ${id} not found`);
  }
}

/** The file system under the store ran out of space (ENOSPC, EDQUOT); nothing of the refused write was kept. */
export class BlobStoreFullError extends Error {
  constructor(readonly store: string) {
    super(`blob store ${store} has no space left on its file system; the upload was dropped, stored content is unaffected`);
  }
}

/** Another request is appending to the same upload right now. */
export class UploadBusyError extends Error {
  constructor(readonly id: string) {
    super(`upload ${id} is already receiving data from another request`);
  }
}
