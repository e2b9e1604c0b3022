// Docker proxy repository: a local cache (a HostedDockerStore in cache mode) in front of an upstream
// registry. Digests are cached forever; tags are fresh for metadataMaxAge and then revalidated with a HEAD,
// so an unchanged tag costs no manifest download. Concurrent misses make one upstream request; a failing
// upstream is auto-blocked and whatever is cached keeps being served.
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { getAsset } from '../../repository/assets.js';
import { NotFoundError, UnsupportedError } from '../../repository/errors.js';
import type { RepositoryConfig } from '../../repository/model.js';
import type { DownloadRecorder } from '../../repository/downloads.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { Db } from '../../storage/database.js';
import { SingleFlight } from '../../proxy/single-flight.js';
import { awaitFillLease } from '../../cluster/fill-lease.js';
import { teeForCache } from '../../proxy/tee.js';
import { TtlCache } from '../../proxy/ttl-cache.js';
import { Upstream, UpstreamUnavailableError, type UpstreamResponse } from '../../proxy/upstream.js';
import type { BlobHandle, DockerStore, Manifest, ManifestInfo, Page } from './docker-store.js';
import { OciError } from './errors.js';
import { HostedDockerStore, MAX_MANIFEST_BYTES } from './hosted.js';
import { MEDIA, type Descriptor } from './manifest.js';
import { KIND, blobPath, manifestPath } from './paths.js';
import { checkReference, sha256Of } from './reference.js';

const ACCEPT_MANIFESTS = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', ');
const MAX_TAGS = 100_000;

export class ProxyDockerStore implements DockerStore {
  private readonly local: HostedDockerStore;
  private readonly fills = new Map<string, Promise<void>>();
  private readonly manifests = new SingleFlight<Manifest>();
  private readonly heads = new SingleFlight<{ size: number } | undefined>();
  private readonly negative = new TtlCache<true>();
  private readonly tagLists = new TtlCache<string[]>(1000);

  constructor(
    readonly repo: RepositoryConfig,
    private readonly db: Db,
    private readonly blobs: BlobStore,
    readonly upstream: Upstream,
    private readonly downloads: DownloadRecorder,
    private readonly hub: boolean,
  ) {
    this.local = new HostedDockerStore(repo, db, blobs, true);
  }

  /** Forgets upstream 404s and cached tag lists, and makes every cached tag stale so its next pull revalidates
   *  it with the upstream (REST invalidate-cache). Cached blobs and manifests by digest stay: they cannot change. */
  async invalidate(): Promise<void> {
    this.negative.clear();
    this.tagLists.clear();
    await this.db.updateTable('assets').set({ updated_at: 0 })
      .where('repository', '=', this.repo.name).where('kind', '=', KIND.tag).execute();
  }

  /** Docker Hub keeps official images under library/. */
  private remote(image: string): string {
    return this.hub && !image.includes('/') ? `library/${image}` : image;
  }

  private get(path: string, image: string, accept?: string, method: 'GET' | 'HEAD' = 'GET'): Promise<UpstreamResponse> {
    return this.upstream.request(method, `/v2/${image}/${path}`, accept ? { accept } : {}, `repository:${image}:pull`);
  }

  private rememberMissing(key: string): void {
    const { enabled, timeToLive } = this.upstream.settings.negativeCache;
    if (enabled) this.negative.set(key, true, timeToLive * 60_000);
  }

  // ---- blobs

  async statBlob(image: string, digest: string): Promise<{ size: number } | undefined> {
    const name = this.remote(image);
    const local = await this.local.statBlob(name, digest);
    if (local) return local;
    const filling = this.fills.get(digest);
    if (filling) return filling.then(() => this.local.statBlob(name, digest));
    if (this.negative.get(`blob:${digest}`)) return undefined;
    return this.heads.run(digest, async () => {
      const res = await this.get(`blobs/${digest}`, name, undefined, 'HEAD').catch((err) => {
        if (err instanceof UpstreamUnavailableError) return undefined; // not cached, not reachable: absent
        throw err;
      });
      if (!res) return undefined;
      await res.body.dump();
      if (res.statusCode === 404) {
        this.rememberMissing(`blob:${digest}`);
        return undefined;
      }
      if (res.statusCode !== 200) throw new UpstreamUnavailableError(`upstream answered ${res.statusCode} for blob ${digest}`);
      return { size: Number(res.headers['content-length']) };
    });
  }

  async openBlob(image: string, digest: string): Promise<BlobHandle | undefined> {
    const name = this.remote(image);
    const hex = sha256Of(digest);
    const cached = await this.cachedBlob(name, digest);
    if (cached) return cached;
    const filling = this.fills.get(digest);
    if (filling) {
      await filling; // another request is downloading it: serve the verified copy once it is in
      return this.cachedBlob(name, digest);
    }
    if (this.negative.get(`blob:${digest}`)) return undefined;
    const fill = this.fill(name, digest, hex);
    const first = await fill.first;
    if (!first) return this.cachedBlob(name, digest);
    return {
      size: first.size,
      open: async (range) => {
        if (!range) return first.client;
        first.client.resume(); // a range of an uncached blob: fetch it whole, then serve the range
        await fill.done;
        return this.blobs.read(hex, range);
      },
    };
  }

  private async cachedBlob(name: string, digest: string): Promise<BlobHandle | undefined> {
    const handle = await this.local.openBlob(name, digest);
    if (handle) this.downloads.mark(this.repo.name, blobPath(digest));
    return handle;
  }

  /**
   * Starts the one upstream download of a blob. `first` resolves when the upstream answers: with its size
   * and a stream of its bytes as they are written to the cache (ending only once the cached copy matched
   * its digest, else erroring), or undefined when it turned out to be cached already. `done` settles when
   * the cache is filled; a 404 rejects both with NotFoundError.
   */
  private fill(name: string, digest: string, hex: string): { first: Promise<{ size: number; client: Readable } | undefined>; done: Promise<void> } {
    let handOver!: (value: { size: number; client: Readable } | undefined) => void;
    const first = new Promise<{ size: number; client: Readable } | undefined>((resolve) => (handOver = resolve));
    const done = (async () => {
      // Cached by a fill that ended while this request was on its way here: nothing to download.
      if (await this.local.statBlob(name, digest)) return handOver(undefined);
      // Other nodes on the same database may be filling it too: one downloads, the others wait for its copy.
      const lease = await awaitFillLease(this.db, `docker:${this.repo.name}:${digest}`, async () => Boolean(await this.local.statBlob(name, digest)));
      if (!lease) return handOver(undefined);
      try {
        await this.download(name, digest, hex, handOver);
      } finally {
        await lease.release();
      }
    })();
    this.fills.set(digest, done);
    done.catch(() => {}).finally(() => this.fills.delete(digest));
    return { first: Promise.race([first, done.then(() => undefined)]), done };
  }

  /** The upstream download and cache write of `fill`, run by the node holding the fill lease. */
  private async download(name: string, digest: string, hex: string, handOver: (value: { size: number; client: Readable } | undefined) => void): Promise<void> {
    const res = await this.get(`blobs/${digest}`, name);
    if (res.statusCode !== 200) {
      await res.body.dump();
      if (res.statusCode === 404) this.rememberMissing(`blob:${digest}`);
      throw new NotFoundError('blob', `blob ${digest} not found upstream (${res.statusCode})`);
    }
    const { client, cacheInput, finish } = teeForCache(res.body);
    handOver({ size: Number(res.headers['content-length']), client });
    const id = randomUUID();
    try {
      await this.blobs.startUpload(id);
      await this.blobs.appendUpload(id, cacheInput);
      const blob = await this.blobs.commitUpload(id, hex); // throws on a digest mismatch: nothing cached
      await this.local.recordBlob(digest, blob.size);
      this.downloads.mark(this.repo.name, blobPath(digest));
      finish(); // the last bytes go out once the cached copy matched its digest
    } catch (err) {
      await this.blobs.cancelUpload(id);
      client.destroy(err as Error);
      throw err;
    }
  }

  async deleteBlob(image: string, digest: string): Promise<void> {
    return this.local.deleteBlob(this.remote(image), digest);
  }

  // ---- pushes are not for proxies

  private refuse(): never {
    throw new UnsupportedError(`repository ${this.repo.name} is a proxy of ${this.upstream.settings.remoteUrl}; push to a hosted repository or a group`);
  }
  startUpload(): Promise<string> { return this.refuse(); }
  uploadSize(): Promise<number> { return this.refuse(); }
  appendUpload(): Promise<number> { return this.refuse(); }
  completeUpload(): Promise<void> { return this.refuse(); }
  cancelUpload(): Promise<void> { return this.refuse(); }
  mountBlob(): Promise<boolean> { return this.refuse(); }
  putManifest(): Promise<{ digest: string }> { return this.refuse(); }

  // ---- manifests

  async statManifest(image: string, reference: string): Promise<ManifestInfo> {
    const { bytes: _bytes, ...info } = await this.getManifest(image, reference);
    return info;
  }

  async getManifest(image: string, reference: string): Promise<Manifest> {
    const name = this.remote(image);
    const kind = checkReference(reference);
    const cached = await getAsset(this.db, this.repo.name, manifestPath(name, reference));
    const maxAge = kind === 'digest' ? this.upstream.settings.contentMaxAge : this.upstream.settings.metadataMaxAge;
    const fresh = cached && (maxAge < 0 || Date.now() - Number(cached.updated_at) < maxAge * 60_000);
    if (!fresh) {
      try {
        return await this.manifests.run(`${name}:${reference}`, () => this.fetchManifest(name, reference, cached?.sha256 ?? undefined));
      } catch (err) {
        // Upstream down: whatever we cached (stale included) keeps serving; without a copy, say why.
        if (!(err instanceof UpstreamUnavailableError)) throw err;
        if (!cached) throw new NotFoundError('manifest', `manifest ${name}:${reference} is not cached and ${err.message}`);
      }
    }
    this.downloads.mark(this.repo.name, manifestPath(name, reference));
    return this.local.getManifest(name, reference);
  }

  /** Revalidates a cached tag with a HEAD, or downloads and caches the manifest. */
  private async fetchManifest(name: string, reference: string, cachedHex?: string): Promise<Manifest> {
    const path = manifestPath(name, reference);
    if (this.negative.get(path)) throw new NotFoundError('manifest', `manifest ${name}:${reference} not found upstream`);
    if (cachedHex) {
      const head = await this.get(`manifests/${reference}`, name, ACCEPT_MANIFESTS, 'HEAD');
      await head.body.dump();
      if (head.statusCode === 200 && head.headers['docker-content-digest'] === `sha256:${cachedHex}`) {
        await this.db.updateTable('assets').set({ updated_at: Date.now() }).where('repository', '=', this.repo.name).where('path', '=', path).execute();
        return this.local.getManifest(name, reference);
      }
    }
    const res = await this.get(`manifests/${reference}`, name, ACCEPT_MANIFESTS);
    if (res.statusCode !== 200) {
      await res.body.dump();
      if (res.statusCode === 404) this.rememberMissing(path);
      throw new NotFoundError('manifest', `manifest ${name}:${reference} not found upstream (${res.statusCode})`);
    }
    const declared = Number(res.headers['content-length'] ?? 0);
    if (declared > MAX_MANIFEST_BYTES) {
      await res.body.dump();
      throw new OciError('MANIFEST_INVALID', `upstream manifest ${name}:${reference} exceeds ${MAX_MANIFEST_BYTES} bytes`);
    }
    const bytes = Buffer.from(await res.body.arrayBuffer());
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (reference.includes(':') && digest !== reference) {
      throw new UpstreamUnavailableError(`upstream served manifest ${digest} for ${reference}`);
    }
    const contentType = String(res.headers['content-type'] ?? '') || undefined;
    await this.local.putManifest(name, reference, bytes, contentType);
    return this.local.getManifest(name, reference);
  }

  async deleteManifest(image: string, reference: string): Promise<void> {
    return this.local.deleteManifest(this.remote(image), reference);
  }

  // ---- listings

  async tags(image: string, n: number, last?: string): Promise<Page> {
    const name = this.remote(image);
    let all = this.tagLists.get(name);
    if (!all) {
      try {
        all = await this.fetchTags(name);
        this.tagLists.set(name, all, this.upstream.settings.metadataMaxAge * 60_000);
      } catch (err) {
        if (!(err instanceof UpstreamUnavailableError)) throw err;
        return this.local.tags(name, n, last);
      }
    }
    const after = last === undefined ? all : all.filter((t) => t > last);
    return { items: after.slice(0, n), more: after.length > n };
  }

  /** Every upstream tag of `name`, following Link pages. Throws NotFoundError for an unknown name. */
  private async fetchTags(name: string): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${name}/tags/list?n=1000`;
    while (path && tags.length < MAX_TAGS) {
      const res: UpstreamResponse = await this.upstream.request('GET', path, {}, `repository:${name}:pull`);
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new NotFoundError('name', `repository name ${name} not known upstream (${res.statusCode})`);
      }
      const body = (await res.body.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const link = /<([^>]+)>;\s*rel="?next"?/.exec(String(res.headers.link ?? ''));
      path = link ? new URL(link[1], 'http://x').pathname + new URL(link[1], 'http://x').search : undefined;
    }
    return [...new Set(tags)].sort();
  }

  images(n: number, last?: string): Promise<Page> {
    return this.local.images(n, last);
  }

  async referrers(image: string, digest: string, artifactType?: string): Promise<Descriptor[]> {
    const name = this.remote(image);
    try {
      const query = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : '';
      const res = await this.get(`referrers/${digest}${query}`, name, MEDIA.ociIndex);
      if (res.statusCode === 200) {
        const index = (await res.body.json()) as { manifests?: Descriptor[] };
        return (index.manifests ?? []).filter((d) => !artifactType || d.artifactType === artifactType);
      }
      await res.body.dump();
    } catch (err) {
      if (!(err instanceof UpstreamUnavailableError)) throw err;
    }
    return this.local.referrers(name, digest, artifactType);
  }
}
