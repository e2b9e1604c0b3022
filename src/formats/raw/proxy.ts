// Raw proxy repository: a local cache (a HostedRawStore in cache mode) in front of any HTTP(S) base URL.
// A cached file is fresh for proxy.contentMaxAge minutes (-1: forever), then revalidated with a conditional
// GET (If-None-Match / If-Modified-Since from what the upstream said); a 304 keeps the copy. A cold file
// streams to the first client while it is written to the cache; concurrent requests for it wait for that one
// download. Upstream 404s go to the negative cache; a failing upstream is auto-blocked (proxy/upstream.ts)
// and the cache keeps serving, stale included.
import type { Readable } from 'node:stream';
import { NotFoundError, UnsupportedError } from '../../repository/errors.js';
import type { Asset } from '../../repository/assets.js';
import type { DownloadRecorder } from '../../repository/downloads.js';
import type { RepositoryConfig } from '../../repository/model.js';
import { StagedFile } from '../../repository/staged.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { Db } from '../../storage/database.js';
import { teeForCache } from '../../proxy/tee.js';
import { TtlCache } from '../../proxy/ttl-cache.js';
import { Upstream, UpstreamUnavailableError, type UpstreamResponse } from '../../proxy/upstream.js';
import { HostedRawStore } from './hosted.js';
import type { RawFile, RawStore, StoredFile } from './raw-store.js';

const SCOPE = 'raw'; // upstream credentials are per repository, not per path

export class ProxyRawStore implements RawStore {
  private readonly local: HostedRawStore;
  private readonly fills = new Map<string, Promise<void>>();
  private readonly negative = new TtlCache<true>();

  constructor(readonly repo: RepositoryConfig, private readonly db: Db, blobs: BlobStore, readonly upstream: Upstream, private readonly downloads: DownloadRecorder) {
    this.local = new HostedRawStore(repo, db, blobs, downloads, true);
  }

  /** Forgets upstream 404s and makes every cached file stale, so its next request revalidates it. */
  async invalidate(): Promise<void> {
    this.negative.clear();
    await this.db.updateTable('assets').set({ updated_at: 0 }).where('repository', '=', this.repo.name).execute();
  }

  private fresh(asset: Asset): boolean {
    const maxAge = this.upstream.settings.contentMaxAge;
    return maxAge < 0 || Date.now() - Number(asset.updated_at) < maxAge * 60_000;
  }

  private served(asset: Asset): RawFile {
    this.downloads.mark(this.repo.name, asset.path);
    return this.local.file(asset);
  }

  async get(path: string, body: boolean): Promise<RawFile | undefined> {
    let cached = await this.local.asset(path);
    const running = this.fills.get(path);
    if (running) {
      await running; // another request is downloading it: serve its copy
      cached = await this.local.asset(path);
      if (cached) return this.served(cached);
    }
    if (cached && this.fresh(cached)) return this.served(cached);
    if (!cached && this.negative.get(path)) return undefined;
    // Registered before the first await, so concurrent misses for this path wait instead of asking too.
    let settle!: (filled: Promise<void>) => void;
    const done = new Promise<void>((resolve) => (settle = (filled) => void filled.then(resolve, resolve)));
    this.fills.set(path, done);
    void done.then(() => this.fills.delete(path));
    try {
      const fetched = await this.fetch(path, cached, body);
      settle(fetched.done);
      return fetched.file;
    } catch (err) {
      settle(Promise.resolve());
      if (!(err instanceof UpstreamUnavailableError)) throw err;
      if (cached) return this.served(cached); // upstream down: stale beats nothing
      throw new UpstreamUnavailableError(`${path} is not cached in ${this.repo.name} and ${err.message}`);
    }
  }

  /** Revalidates a cached copy, or downloads the file; a cold one streams to this caller when `body`. `done`
   *  settles when the cache holds the result. */
  private async fetch(path: string, cached: Asset | undefined, body: boolean): Promise<{ file: RawFile | undefined; done: Promise<void> }> {
    const settled = Promise.resolve();
    const attributes = cached ? JSON.parse(cached.attributes) as { etag?: string; lastModified?: string } : {};
    const headers: Record<string, string> = {};
    if (attributes.etag) headers['if-none-match'] = attributes.etag;
    if (attributes.lastModified) headers['if-modified-since'] = attributes.lastModified;
    const url = '/' + path.split('/').map(encodeURIComponent).join('/');
    const res = await this.upstream.request('GET', url, headers, SCOPE);
    if (res.statusCode === 304 && cached) {
      await res.body.dump();
      await this.db.updateTable('assets').set({ updated_at: Date.now() }).where('id', '=', cached.id).execute();
      return { file: this.served(cached), done: settled };
    }
    if (res.statusCode === 404 || res.statusCode === 410) {
      await res.body.dump();
      if (this.upstream.settings.negativeCache.enabled) this.negative.set(path, true, this.upstream.settings.negativeCache.timeToLive * 60_000);
      return { file: undefined, done: settled };
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new NotFoundError('asset', `${path} is not available from ${this.upstream.settings.remoteUrl} (it answered ${res.statusCode})`);
    }
    const fill = this.fill(path, res, body);
    if (body) return fill;
    await fill.done;
    const stored = await this.local.asset(path);
    return { file: stored && this.served(stored), done: settled };
  }

  /** Writes an upstream response into the cache; `file` streams it to the caller at the same time when asked. */
  private fill(path: string, res: UpstreamResponse, stream: boolean): { file: RawFile; done: Promise<void> } {
    const { client, cacheInput, finish } = teeForCache(res.body);
    if (!stream) client.destroy(); // nobody reads it: the cache write alone sets the pace
    const header = (name: string) => (typeof res.headers[name] === 'string' ? res.headers[name] as string : undefined);
    const length = header('content-length');
    const done = (async () => {
      try {
        const staged = await StagedFile.from(this.local.blobs, cacheInput, length === undefined ? undefined : Number(length));
        const type = header('content-type')?.split(';')[0].trim() || undefined;
        await this.local.store(path, staged, type, { etag: header('etag'), lastModified: header('last-modified') });
        this.downloads.mark(this.repo.name, path);
        finish(); // the last bytes go out once the cache holds the file
      } catch (err) {
        client.destroy(err as Error);
        throw err;
      }
    })();
    done.catch(() => {}); // the caller that streams learns of a failure through the client stream
    const file: RawFile = {
      path, size: length === undefined ? undefined : Number(length), sha256: undefined,
      contentType: header('content-type') ?? 'application/octet-stream', lastModified: Date.now(),
      open: async (range) => {
        if (!range) return client as Readable;
        client.resume(); // a range of an uncached file: fetch it whole, then serve the range
        await done;
        const stored = await this.local.asset(path);
        if (!stored) throw new NotFoundError('asset', `${path} vanished from the cache`);
        return this.local.file(stored).open(range);
      },
      discard: () => client.destroy(),
    };
    return { file, done };
  }

  private refuse(): never {
    throw new UnsupportedError(`repository ${this.repo.name} is a proxy of ${this.upstream.settings.remoteUrl}; upload to a hosted repository`);
  }

  put(): Promise<StoredFile> {
    return this.refuse();
  }

  /** Removes the cached copy (the next request fetches it again). */
  delete(path: string): Promise<void> {
    return this.local.delete(path);
  }
}
