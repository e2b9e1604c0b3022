// A blob store wrapped with its figures and quotas: counts bytes and blobs (a walk at open and every
// RECOUNT_MS, adjusted on every commit and delete in between), warns when the soft quota is exceeded, and
// refuses writes that would break the hard quota. A refused stream is drained rather than cut, so the client
// reads a clear error instead of a reset connection, and what it sent so far is removed.
import type { Logger } from 'pino';
import { Readable } from 'node:stream';
import type { BlobInfo, BlobStore, ByteRange } from './blob-store.js';
import { BlobStoreQuotaError, room, violation, type Quota, type SpaceFigures } from './blob-quota.js';

const RECOUNT_MS = 10 * 60_000;

export interface Quotas {
  softQuota?: Quota;
  hardQuota?: Quota;
}

export interface BlobStoreUsage extends SpaceFigures {
  blobCount: number;
}

export class MeteredBlobStore implements BlobStore {
  private used = { blobs: 0, bytes: 0 };
  private inflight = 0; // bytes of writes streaming right now
  private counting: Promise<void>;
  private readonly timer: NodeJS.Timeout;
  private softExceeded = false;
  private unavailable: Error | undefined; // the last walk failed

  constructor(readonly inner: BlobStore, public quotas: Quotas = {}, private readonly log?: Logger, recountMs = RECOUNT_MS) {
    this.counting = this.recount();
    this.timer = setInterval(() => void this.recount(), recountMs).unref();
  }

  get name(): string {
    return this.inner.name;
  }

  /** Walks the store and replaces the running figures (which other nodes' writes make drift). */
  recount(): Promise<void> {
    this.counting = (async () => {
      const walked = { blobs: 0, bytes: 0 };
      for await (const blob of this.inner.list()) {
        walked.blobs++;
        walked.bytes += blob.size;
      }
      this.used = walked;
      this.unavailable = undefined;
      await this.checkSoftQuota();
    })().catch((err) => {
      this.unavailable = err as Error;
      this.log?.error({ err, blobStore: this.name }, 'blob store usage could not be counted');
    });
    return this.counting;
  }

  /** Bytes and blobs stored, and free space (undefined when unbounded). Throws the error of the last walk when
   *  it failed (the store is unreachable). */
  async usage(): Promise<BlobStoreUsage> {
    await this.counting;
    if (this.unavailable) throw this.unavailable;
    return { blobCount: this.used.blobs, totalSizeInBytes: this.used.bytes, availableSpaceInBytes: await this.inner.availableSpace?.() };
  }

  /** The sentence of each exceeded quota ({} when none). */
  async quotaStatus(): Promise<{ soft?: string; hard?: string }> {
    const usage = await this.usage();
    const { softQuota, hardQuota } = this.quotas;
    return {
      soft: softQuota && violation(this.name, 'soft', softQuota, usage),
      hard: hardQuota && violation(this.name, 'hard', hardQuota, usage),
    };
  }

  /** New limits for the open store (a configuration change); re-checks the soft quota. */
  setQuotas(quotas: Quotas): void {
    this.quotas = quotas;
    void this.counting.then(() => this.checkSoftQuota());
  }

  close(): void {
    clearInterval(this.timer);
  }

  stat(sha256: string) {
    return this.inner.stat(sha256);
  }

  read(sha256: string, range?: ByteRange) {
    return this.inner.read(sha256, range);
  }

  uploadSize(id: string) {
    return this.inner.uploadSize(id);
  }

  list() {
    return this.inner.list();
  }

  availableSpace(): Promise<number> {
    return this.inner.availableSpace?.() ?? Promise.resolve(Infinity);
  }

  async put(source: Readable, expected?: string): Promise<BlobInfo> {
    const existed = expected ? Boolean(await this.inner.stat(expected)) : false;
    const guard = existed ? undefined : await this.guard(source, 0);
    try {
      const info = await this.inner.put(guard?.stream ?? source, expected);
      if (!existed) await this.added(info.size);
      return info;
    } finally {
      guard?.release();
    }
  }

  async startUpload(id: string): Promise<void> {
    const hard = this.quotas.hardQuota;
    if (hard) {
      const usage = await this.usage();
      if (room(hard, usage) <= 0) throw new BlobStoreQuotaError(this.name, hard, usage, 0);
    }
    await this.inner.startUpload(id);
  }

  async appendUpload(id: string, source: Readable): Promise<number> {
    const guard = await this.guard(source, (await this.inner.uploadSize(id)) ?? 0);
    try {
      return await this.inner.appendUpload(id, guard?.stream ?? source);
    } catch (e) {
      if (e instanceof BlobStoreQuotaError) await this.inner.cancelUpload(id); // nothing of a refused upload stays
      throw e;
    } finally {
      guard?.release();
    }
  }

  async commitUpload(id: string, expected?: string): Promise<BlobInfo> {
    const existed = expected ? Boolean(await this.inner.stat(expected)) : false;
    const info = await this.inner.commitUpload(id, expected);
    if (!existed) await this.added(info.size);
    return info;
  }

  cancelUpload(id: string) {
    return this.inner.cancelUpload(id);
  }

  async delete(sha256: string): Promise<void> {
    const info = await this.inner.stat(sha256);
    await this.inner.delete(sha256);
    if (info) {
      this.used.blobs = Math.max(0, this.used.blobs - 1);
      this.used.bytes = Math.max(0, this.used.bytes - info.size);
      await this.checkSoftQuota();
    }
  }

  private async added(size: number): Promise<void> {
    await this.counting;
    this.used.blobs++;
    this.used.bytes += size;
    await this.checkSoftQuota();
  }

  /** Logs when the soft quota becomes exceeded, and when it no longer is. */
  private async checkSoftQuota(): Promise<void> {
    const soft = this.quotas.softQuota;
    if (!soft) return;
    const usage = { totalSizeInBytes: this.used.bytes, availableSpaceInBytes: await this.inner.availableSpace?.() };
    const message = violation(this.name, 'soft', soft, usage);
    if (message && !this.softExceeded) this.log?.warn({ blobStore: this.name, quota: soft, ...usage }, message);
    if (!message && this.softExceeded) this.log?.info({ blobStore: this.name }, `blob store ${this.name} is back within its soft quota`);
    this.softExceeded = Boolean(message);
  }

  /** Counts the bytes of a write against the hard quota (`already`: bytes of the same upload stored before). Past
   *  the limit, the rest of the stream is read and dropped, and the stream ends with BlobStoreQuotaError. */
  private async guard(source: Readable, already: number): Promise<{ stream: Readable; release: () => void } | undefined> {
    const hard = this.quotas.hardQuota;
    if (!hard) return undefined;
    await this.counting;
    const before: SpaceFigures = { totalSizeInBytes: this.used.bytes, availableSpaceInBytes: await this.inner.availableSpace?.() };
    let received = 0;
    let refused: BlobStoreQuotaError | undefined;
    const self = this;
    // A generator rather than a pipe: nothing is read (so no error can go unheard) until the store reads.
    const stream = Readable.from((async function* () {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        if (refused) continue; // drained: the client is still sending
        received += chunk.length;
        self.inflight += chunk.length;
        const now: SpaceFigures = {
          totalSizeInBytes: self.used.bytes + self.inflight + already,
          availableSpaceInBytes: before.availableSpaceInBytes === undefined ? undefined : before.availableSpaceInBytes - received,
        };
        if (room(hard, now) < 0) {
          refused = new BlobStoreQuotaError(self.name, hard, before, already + received);
          self.log?.warn({ blobStore: self.name }, refused.message);
          continue;
        }
        yield chunk;
      }
      if (refused) throw refused;
    })(), { objectMode: false });
    let released = false;
    return {
      stream,
      release: () => {
        if (released) return;
        released = true;
        self.inflight -= received;
      },
    };
  }
}
