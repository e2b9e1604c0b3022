// What a Docker repository can do, whatever its type. Hosted implements it over the database and a blob
// store; proxy and group wrap other DockerStores with the same interface. HTTP handlers see only this.
import type { Readable } from 'node:stream';
import type { ByteRange } from '../../storage/blob-store.js';
import type { RepositoryConfig } from '../../repository/model.js';
import type { Descriptor } from './manifest.js';

export interface ManifestInfo {
  digest: string;
  mediaType: string;
  size: number;
}

export interface Manifest extends ManifestInfo {
  bytes: Buffer;
}

export interface BlobHandle {
  size: number;
  /** Streams the blob or a range of it; call once. */
  open(range?: ByteRange): Promise<Readable>;
}

export interface PutManifestResult {
  digest: string;
  subject?: string;
  /** The hosted repository that stored it (a group's member), for the audit trail. */
  repository?: string;
}

/** A page of names: `more` says whether anything follows the last one. */
export interface Page {
  items: string[];
  more: boolean;
}

export interface DockerStore {
  readonly repo: RepositoryConfig;

  /** Size of a blob this repository holds, or undefined. */
  statBlob(image: string, digest: string): Promise<{ size: number } | undefined>;
  /** A blob to download: its size first (for Content-Length and Range), then its bytes; undefined when absent. */
  openBlob(image: string, digest: string): Promise<BlobHandle | undefined>;
  /** Forgets a blob in this repository (bytes are reclaimed by compaction). Throws NotFoundError('blob'). */
  deleteBlob(image: string, digest: string): Promise<void>;

  /** Opens an upload session and returns its id. */
  startUpload(image: string): Promise<string>;
  /** Bytes received by an upload. Throws NotFoundError('upload'). */
  uploadSize(image: string, id: string): Promise<number>;
  /** Appends a chunk; with `start`, it must equal the current size (else RangeMismatch). Returns the new size. */
  appendUpload(image: string, id: string, body: Readable, start?: number): Promise<number>;
  /** Verifies and commits an upload as blob `digest`. Throws DIGEST_INVALID and drops the upload on mismatch. */
  completeUpload(image: string, id: string, digest: string): Promise<void>;
  /** Abandons an upload. Throws NotFoundError('upload'). */
  cancelUpload(image: string, id: string): Promise<void>;
  /** Makes a blob that `from` holds available here without upload; false when `from` does not have it. */
  mountBlob(image: string, digest: string, from: DockerStore, fromImage: string): Promise<boolean>;

  /** A manifest by tag or digest. Throws NotFoundError('manifest'). */
  getManifest(image: string, reference: string): Promise<Manifest>;
  /** The same without the bytes (HEAD). */
  statManifest(image: string, reference: string): Promise<ManifestInfo>;
  /** Stores exact manifest bytes under a tag or digest, after checking what it references exists. */
  putManifest(image: string, reference: string, bytes: Buffer, contentType: string | undefined): Promise<PutManifestResult>;
  /** Deletes a tag (reference is a tag) or a manifest and every tag pointing at it (a digest). */
  deleteManifest(image: string, reference: string): Promise<void>;

  /** Tags of an image, sorted, after `last`, at most `n`. Throws NotFoundError('name') for an unknown image. */
  tags(image: string, n: number, last?: string): Promise<Page>;
  /** Image names, sorted, after `last`, at most `n`. */
  images(n: number, last?: string): Promise<Page>;
  /** Manifests whose subject is `digest`, optionally of one artifact type. */
  referrers(image: string, digest: string, artifactType?: string): Promise<Descriptor[]>;
}

export class RangeMismatchError extends Error {
  constructor(readonly size: number) {
    super(`chunk does not start at the end of the upload (${size} bytes received)`);
  }
}
