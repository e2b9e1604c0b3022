// What a raw repository can do, whatever its type. Hosted implements it over the database and a blob store;
// proxy and group wrap other RawStores with the same interface. The HTTP layer (serve.ts) sees only this.
import type { Readable } from 'node:stream';
import type { RepositoryConfig } from '../../repository/model.js';
import type { ByteRange } from '../../storage/blob-store.js';

/** Asset kind of a raw file in the shared asset model. */
export const RAW_FILE = 'raw.file';

/** A file to download. */
export interface RawFile {
  path: string;
  /** Unknown only while a proxy streams a file it has not cached yet (the upstream did not say). */
  size: number | undefined;
  /** Unknown only while a proxy streams a file it has not cached yet. */
  sha256: string | undefined;
  contentType: string;
  /** Milliseconds since the epoch. */
  lastModified: number;
  /** Streams the file or a range of it; call at most once. */
  open(range?: ByteRange): Promise<Readable>;
  /** Tells a file that will not be opened (304, 416) to let go of what it holds; safe to call twice. */
  discard?(): void;
}

export interface StoredFile {
  path: string;
  sha256: string;
  size: number;
  /** True when the path held nothing before. */
  created: boolean;
}

export interface RawStore {
  readonly repo: RepositoryConfig;
  /**
   * The file at `path`, or undefined. With `body` false (HEAD, or only checking) the caller will not open it,
   * so a proxy fetches an uncached file into its cache before answering. Throws UpstreamUnavailableError when
   * a proxy has no copy and cannot reach its upstream.
   */
  get(path: string, body: boolean): Promise<RawFile | undefined>;
  /** Stores a file from a stream (a PUT), creating or replacing it as the write policy allows. Throws DeniedError,
   *  InvalidError (strict content type, size), UnsupportedError (proxies, groups without a writable member). */
  put(path: string, body: Readable, declaredSize?: number): Promise<StoredFile>;
  /** Deletes a file. Throws NotFoundError('asset'), DeniedError, UnsupportedError. */
  delete(path: string): Promise<void>;
}
