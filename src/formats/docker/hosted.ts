// Hosted Docker repository: metadata in the shared asset model, bytes in the repository's blob store.
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeniedError, NotFoundError } from '../../repository/errors.js';
import { writePolicy, type RepositoryConfig } from '../../repository/model.js';
import { deleteAssets, ensureComponent, getAsset, putAsset } from '../../repository/assets.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { BlobBeingDeletedError, checkPresent, claimInTx, releaseMark } from '../../storage/blob-marks.js';
import type { Db } from '../../storage/database.js';
import type { DownloadRecorder } from '../../repository/downloads.js';
import { RangeMismatchError, type BlobHandle, type DockerStore, type Manifest, type ManifestInfo, type Page } from './docker-store.js';
import { OciError } from './errors.js';
import { parseManifest, type Descriptor } from './manifest.js';
import { KIND, blobPath, manifestPath, manifestPrefix } from './paths.js';
import { checkReference, sha256Of } from './reference.js';
import { manifestCache } from './manifest-cache.js';

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** A blob looked up (HEAD before a push re-uses it) gets its updated_at refreshed when older than this, so
 *  garbage collection's grace period protects it until the manifest that references it arrives. */
const TOUCH_AFTER_MS = 60_000;

export class HostedDockerStore implements DockerStore {
  /**
   * With `cache`, this store is a proxy's local copy: the proxy writes what the upstream served, so write
   * policies and reference checks (a cached manifest's layers arrive later, if ever) do not apply.
   */
  /** `downloads` records pulls for cleanup's "last downloaded"; a proxy's local cache records its own. */
  constructor(
    readonly repo: RepositoryConfig, private readonly db: Db, private readonly blobs: BlobStore, private readonly cache = false,
    private readonly downloads?: DownloadRecorder,
  ) {}

  private checkWritable(): void {
    if (!this.cache && writePolicy(this.repo) === 'deny') {
      throw new DeniedError(`repository ${this.repo.name} is read-only (write policy deny)`);
    }
  }

  async statBlob(_image: string, digest: string): Promise<{ size: number } | undefined> {
    const asset = await getAsset(this.db, this.repo.name, blobPath(digest));
    if (!asset) return undefined;
    if (!this.cache && Number(asset.updated_at) < Date.now() - TOUCH_AFTER_MS) {
      await this.db.updateTable('assets').set({ updated_at: Date.now() }).where('id', '=', asset.id).execute();
    }
    return { size: Number(asset.size) };
  }

  async openBlob(image: string, digest: string): Promise<BlobHandle | undefined> {
    const info = await this.statBlob(image, digest);
    if (!info) return undefined;
    const hex = sha256Of(digest);
    return { size: info.size, open: (range) => this.blobs.read(hex, range) };
  }

  async deleteBlob(_image: string, digest: string): Promise<void> {
    this.checkWritable();
    const asset = await getAsset(this.db, this.repo.name, blobPath(digest));
    if (!asset) throw new NotFoundError('blob', `blob ${digest} not found in ${this.repo.name}`);
    await deleteAssets(this.db, [asset]);
  }

  async startUpload(image: string): Promise<string> {
    this.checkWritable();
    const id = randomUUID();
    await this.blobs.startUpload(id);
    const now = Date.now();
    await this.db.insertInto('upload_sessions')
      .values({ id, repository: this.repo.name, name: image, blob_store: this.blobs.name, created_at: now, updated_at: now })
      .execute();
    return id;
  }

  private async session(image: string, id: string) {
    const row = await this.db.selectFrom('upload_sessions').selectAll()
      .where('id', '=', id).where('repository', '=', this.repo.name).where('name', '=', image).executeTakeFirst();
    if (!row) throw new NotFoundError('upload', `upload ${id} not found`);
    return row;
  }

  async uploadSize(image: string, id: string): Promise<number> {
    await this.session(image, id);
    const size = await this.blobs.uploadSize(id);
    if (size === undefined) throw new NotFoundError('upload', `upload ${id} not found`);
    return size;
  }

  async appendUpload(image: string, id: string, body: Readable, start?: number): Promise<number> {
    this.checkWritable();
    const size = await this.uploadSize(image, id);
    if (start !== undefined && start !== size) throw new RangeMismatchError(size);
    const after = await this.blobs.appendUpload(id, body);
    await this.db.updateTable('upload_sessions').set({ updated_at: Date.now() }).where('id', '=', id).execute();
    return after;
  }

  async completeUpload(image: string, id: string, digest: string): Promise<void> {
    this.checkWritable();
    const hex = sha256Of(digest);
    await this.session(image, id);
    try {
      await releaseMark(this.db, this.blobs.name, hex);
      const blob = await this.blobs.commitUpload(id, hex);
      await this.recordBlob(digest, blob.size);
    } finally {
      await this.db.deleteFrom('upload_sessions').where('id', '=', id).execute();
    }
  }

  async cancelUpload(image: string, id: string): Promise<void> {
    await this.session(image, id);
    await this.blobs.cancelUpload(id);
    await this.db.deleteFrom('upload_sessions').where('id', '=', id).execute();
  }

  async mountBlob(image: string, digest: string, from: DockerStore, fromImage: string): Promise<boolean> {
    this.checkWritable();
    const hex = sha256Of(digest);
    const source = await from.statBlob(fromImage, digest);
    if (!source) return false;
    // Same bytes in the same store: just a new reference. Otherwise copy them over.
    await releaseMark(this.db, this.blobs.name, hex);
    const here = await this.blobs.stat(hex);
    if (!here) {
      const blob = await from.openBlob(fromImage, digest);
      if (!blob) return false;
      await this.blobs.put(await blob.open(), hex);
    }
    await this.recordBlob(digest, source.size);
    return true;
  }

  /** Records that this repository holds blob `digest` (its bytes already in the blob store). */
  async recordBlob(digest: string, size: number): Promise<void> {
    const hex = sha256Of(digest);
    const path = blobPath(digest);
    try {
      await this.db.transaction().execute(async (tx) => {
        await claimInTx(tx, this.blobs.name, hex); // soft-deleted bytes come back to life with this asset
        await putAsset(tx, { repository: this.repo.name, path, kind: KIND.blob, name: '', sha256: hex, size, contentType: 'application/octet-stream' });
      });
      await checkPresent(this.blobs, hex);
    } catch (e) {
      if (!(e instanceof BlobBeingDeletedError)) throw e;
      await this.db.deleteFrom('assets').where('repository', '=', this.repo.name).where('path', '=', path).where('sha256', '=', hex).execute();
      throw new OciError('BLOB_UPLOAD_INVALID', e.message, { digest }, 409);
    }
  }

  async statManifest(image: string, reference: string): Promise<ManifestInfo> {
    checkReference(reference);
    const asset = await getAsset(this.db, this.repo.name, manifestPath(image, reference));
    if (!asset || !asset.sha256) throw new NotFoundError('manifest', `manifest ${image}:${reference} not found in ${this.repo.name}`);
    return { digest: `sha256:${asset.sha256}`, mediaType: asset.content_type, size: Number(asset.size) };
  }

  async getManifest(image: string, reference: string): Promise<Manifest> {
    const info = await this.statManifest(image, reference);
    const bytes = await manifestCache.get(info.digest, () => this.blobs.read(sha256Of(info.digest)));
    this.downloads?.mark(this.repo.name, manifestPath(image, reference)); // a GET is a pull; HEAD only checks
    return { ...info, bytes };
  }

  async putManifest(image: string, reference: string, bytes: Buffer, contentType: string | undefined) {
    this.checkWritable();
    const kind = checkReference(reference);
    const hex = createHash('sha256').update(bytes).digest('hex');
    const digest = `sha256:${hex}`;
    if (kind === 'digest' && reference !== digest) {
      throw new OciError('DIGEST_INVALID', `manifest digest ${digest} does not match the reference ${reference}`);
    }
    const parsed = parseManifest(bytes, contentType);
    if (!this.cache) await this.checkReferences(this.db, image, parsed.blobs, parsed.manifests);
    await releaseMark(this.db, this.blobs.name, hex);
    await this.blobs.put(Readable.from([bytes]), hex);
    const attributes = { artifactType: parsed.artifactType, annotations: parsed.annotations, subject: parsed.subject?.digest };
    const refs = [
      ...parsed.blobs.map((d) => ({ digest: d.digest, kind: 'blob' })),
      ...parsed.manifests.map((d) => ({ digest: d.digest, kind: 'manifest' })),
      ...(parsed.subject ? [{ digest: parsed.subject.digest, kind: 'subject' }] : []),
    ];
    await this.db.transaction().execute(async (tx) => {
      // Checked again where garbage collection cannot interleave: what it deleted since is refused here.
      if (!this.cache) await this.checkReferences(tx, image, parsed.blobs, parsed.manifests);
      await claimInTx(tx, this.blobs.name, hex).catch((e: unknown) => {
        throw e instanceof BlobBeingDeletedError ? new OciError('MANIFEST_INVALID', e.message) : e;
      });
      const manifest = { repository: this.repo.name, kind: KIND.manifest, name: image, sha256: hex, size: bytes.length, contentType: parsed.mediaType };
      await putAsset(tx, { ...manifest, path: manifestPath(image, digest), attributes }, refs);
      if (kind === 'tag') {
        const path = manifestPath(image, reference);
        const existing = await getAsset(tx, this.repo.name, path);
        if (existing && existing.sha256 !== hex && !this.cache && writePolicy(this.repo) === 'allow_once'
          && !(reference === 'latest' && this.repo.storage.latestPolicy)) {
          throw new DeniedError(`write policy allow_once of repository ${this.repo.name} does not allow moving tag ${image}:${reference} to another manifest`);
        }
        const componentId = await ensureComponent(tx, this.repo.name, '', image, reference);
        await putAsset(tx, { ...manifest, path, kind: KIND.tag, componentId, attributes: {} });
      }
    });
    if (!(await this.blobs.stat(hex))) {
      // Compaction removed the bytes between our write and our transaction (possible only without a grace period).
      await this.blobs.put(Readable.from([bytes]), hex);
    }
    return { digest, subject: parsed.subject?.digest, repository: this.repo.name };
  }

  /** Throws MANIFEST_BLOB_UNKNOWN naming the first missing blob or child manifest. */
  private async checkReferences(db: Db, image: string, blobs: Descriptor[], manifests: Descriptor[]): Promise<void> {
    const wanted = [
      ...blobs.map((d) => ({ d, path: blobPath(d.digest) })),
      ...manifests.map((d) => ({ d, path: manifestPath(image, d.digest) })),
    ];
    if (!wanted.length) return;
    const found = new Set((await db.selectFrom('assets').select('path')
      .where('repository', '=', this.repo.name).where('path', 'in', wanted.map((w) => w.path)).execute()).map((r) => r.path));
    const missing = wanted.find((w) => !found.has(w.path));
    if (missing) {
      throw new OciError('MANIFEST_BLOB_UNKNOWN', `manifest references ${missing.d.digest}, which ${this.repo.name} does not hold`, { digest: missing.d.digest });
    }
  }

  async deleteManifest(image: string, reference: string): Promise<void> {
    this.checkWritable();
    const kind = checkReference(reference);
    await this.db.transaction().execute(async (tx) => {
      const asset = await getAsset(tx, this.repo.name, manifestPath(image, reference));
      if (!asset) throw new NotFoundError('manifest', `manifest ${image}:${reference} not found in ${this.repo.name}`);
      if (kind === 'tag') return deleteAssets(tx, [asset]);
      const tags = await tx.selectFrom('assets').select(['id', 'component_id'])
        .where('repository', '=', this.repo.name).where('kind', '=', KIND.tag).where('name', '=', image)
        .where('sha256', '=', asset.sha256).execute();
      await deleteAssets(tx, [asset, ...tags]);
    });
  }

  async tags(image: string, n: number, last?: string): Promise<Page> {
    const prefix = manifestPrefix(image);
    let q = this.db.selectFrom('assets').select('path')
      .where('repository', '=', this.repo.name).where('kind', '=', KIND.tag).where('name', '=', image);
    if (last !== undefined) q = q.where('path', '>', prefix + last);
    const rows = await q.orderBy('path').limit(n + 1).execute();
    if (!rows.length) {
      const any = await this.db.selectFrom('assets').select('id')
        .where('repository', '=', this.repo.name).where('kind', '=', KIND.manifest).where('name', '=', image).limit(1).executeTakeFirst();
      if (!any) throw new NotFoundError('name', `repository name ${image} not known to ${this.repo.name}`);
    }
    return { items: rows.slice(0, n).map((r) => r.path.slice(prefix.length)), more: rows.length > n };
  }

  async images(n: number, last?: string): Promise<Page> {
    let q = this.db.selectFrom('assets').select('name').distinct()
      .where('repository', '=', this.repo.name).where('kind', '=', KIND.manifest);
    if (last !== undefined) q = q.where('name', '>', last);
    const rows = await q.orderBy('name').limit(n + 1).execute();
    return { items: rows.slice(0, n).map((r) => r.name), more: rows.length > n };
  }

  async referrers(image: string, digest: string, artifactType?: string): Promise<Descriptor[]> {
    sha256Of(digest);
    const rows = await this.db.selectFrom('assets').select(['sha256', 'size', 'content_type', 'attributes'])
      .where('repository', '=', this.repo.name).where('kind', '=', KIND.manifest).where('name', '=', image)
      .where('id', 'in', (eb) => eb.selectFrom('asset_refs').select('asset_id').where('digest', '=', digest).where('kind', '=', 'subject'))
      .orderBy('path').execute();
    return rows.map((r) => {
      const a = JSON.parse(r.attributes) as { artifactType?: string; annotations?: Record<string, string> };
      const d: Descriptor = { mediaType: r.content_type, digest: `sha256:${r.sha256}`, size: Number(r.size) };
      if (a.artifactType) d.artifactType = a.artifactType;
      if (a.annotations) d.annotations = a.annotations;
      return d;
    }).filter((d) => !artifactType || d.artifactType === artifactType);
  }
}
