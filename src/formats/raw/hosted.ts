// Hosted raw repository: one asset per file in the shared model (kind raw.file, path = the file path), in a
// component of its own as Nexus does (namespace = "/" + directory, name = path, no version), bytes in the
// repository's blob store. Write policies: deny refuses every change; allow_once refuses to replace a file with
// different bytes (the same bytes again are accepted, as Docker accepts the same manifest under a tag).
import type { Readable } from 'node:stream';
import { deleteAssets, ensureComponent, getAsset, putAsset, type Asset } from '../../repository/assets.js';
import type { DownloadRecorder } from '../../repository/downloads.js';
import { DeniedError, NotFoundError } from '../../repository/errors.js';
import { writePolicy, type RepositoryConfig } from '../../repository/model.js';
import { StagedFile } from '../../repository/staged.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { Db } from '../../storage/database.js';
import { contentTypeFor } from './content-type.js';
import { dirname } from './path.js';
import { RAW_FILE, type RawFile, type RawStore, type StoredFile } from './raw-store.js';

export interface CacheAttributes {
  /** The upstream's ETag and Last-Modified, to revalidate a cached copy. */
  etag?: string;
  lastModified?: string;
}

export class HostedRawStore implements RawStore {
  /** With `cache`, this store is a proxy's local copy: write policies and content-type checks do not apply. */
  constructor(
    readonly repo: RepositoryConfig,
    private readonly db: Db,
    readonly blobs: BlobStore,
    private readonly downloads: DownloadRecorder,
    private readonly cache = false,
  ) {}

  private checkWritable(): void {
    if (!this.cache && writePolicy(this.repo) === 'deny') {
      throw new DeniedError(`repository ${this.repo.name} is read-only (write policy deny)`);
    }
  }

  /** The asset row of a file, or undefined. */
  asset(path: string): Promise<Asset | undefined> {
    return this.db.selectFrom('assets').selectAll()
      .where('repository', '=', this.repo.name).where('path', '=', path).where('kind', '=', RAW_FILE).executeTakeFirst();
  }

  file(asset: Asset): RawFile {
    const sha256 = asset.sha256 as string;
    return {
      path: asset.path, size: Number(asset.size), sha256, contentType: asset.content_type, lastModified: Number(asset.created_at),
      open: (range) => this.blobs.read(sha256, range),
    };
  }

  async get(path: string): Promise<RawFile | undefined> {
    const asset = await this.asset(path);
    if (!asset) return undefined;
    this.downloads.mark(this.repo.name, path);
    return this.file(asset);
  }

  async put(path: string, body: Readable, declaredSize?: number): Promise<StoredFile> {
    this.checkWritable();
    const staged = await StagedFile.from(this.blobs, body, declaredSize);
    return this.store(path, staged);
  }

  /** Stores a staged file at `path` (PUT, component upload, proxy fill); cancels it when refused. */
  async store(path: string, staged: StagedFile, contentType?: string, attributes: CacheAttributes = {}): Promise<StoredFile> {
    try {
      this.checkWritable();
      const type = contentType ?? contentTypeFor(path, staged.head, !this.cache && this.repo.storage.strictContentTypeValidation === true);
      const blob = await staged.commit();
      const created = await this.db.transaction().execute(async (tx) => {
        const existing = await getAsset(tx, this.repo.name, path);
        if (existing && existing.sha256 !== blob.sha256 && !this.cache && writePolicy(this.repo) === 'allow_once') {
          throw new DeniedError(`write policy allow_once of repository ${this.repo.name} does not allow replacing ${path} with other content`);
        }
        const componentId = await ensureComponent(tx, this.repo.name, `/${dirname(path)}`, path, '');
        await putAsset(tx, {
          repository: this.repo.name, path, kind: RAW_FILE, name: path, componentId,
          sha256: blob.sha256, size: blob.size, contentType: type, attributes: { ...attributes },
        });
        // A replaced file is new content: its age (Last-Modified, proxy freshness) starts again.
        if (existing) await tx.updateTable('assets').set({ created_at: Date.now() }).where('id', '=', existing.id).execute();
        return !existing;
      });
      return { path, sha256: blob.sha256, size: blob.size, created };
    } finally {
      await staged.cancel();
    }
  }

  async delete(path: string): Promise<void> {
    this.checkWritable();
    await this.db.transaction().execute(async (tx) => {
      const asset = await getAsset(tx, this.repo.name, path);
      if (!asset || asset.kind !== RAW_FILE) throw new NotFoundError('asset', `${path} not found in ${this.repo.name}`);
      await deleteAssets(tx, [asset]);
    });
  }
}
