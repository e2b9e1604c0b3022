// Manifest bytes by digest, bounded by total size. Content-addressed bytes never change, so a cached entry
// is always right; a miss costs one blob store read.
import type { Readable } from 'node:stream';

const LIMIT_BYTES = 64 * 1024 * 1024;

class ManifestCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  /** The bytes of `digest`, read through `load` on a miss. */
  async get(digest: string, load: () => Promise<Readable>): Promise<Buffer> {
    const hit = this.entries.get(digest);
    if (hit) {
      this.entries.delete(digest); // re-insert: Map order is our LRU order
      this.entries.set(digest, hit);
      return hit;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of await load()) chunks.push(chunk as Buffer);
    const value = Buffer.concat(chunks);
    this.entries.set(digest, value);
    this.bytes += value.length;
    for (const [key, old] of this.entries) {
      if (this.bytes <= LIMIT_BYTES) break;
      this.entries.delete(key);
      this.bytes -= old.length;
    }
    return value;
  }
}

export const manifestCache = new ManifestCache();
