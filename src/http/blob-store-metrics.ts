// Prometheus gauges of every blob store: bytes, blobs, reclaimable bytes, quota limits and whether a quota is
// exceeded (the soft quota's alert signal). Measured when scraped, from the stores' running figures, once per
// scrape for all gauges (prom-client collects them concurrently).
import { Gauge, type Registry } from 'prom-client';
import { reclaimable } from '../storage/blob-marks.js';
import type { Quota } from '../storage/blob-quota.js';
import type { Wharf } from '../wharf.js';

interface Figures {
  name: string;
  bytes: number;
  blobs: number;
  reclaimable: number;
  soft: boolean;
  hard: boolean;
  quotas: (readonly [kind: 'soft' | 'hard', quota: Quota])[];
}

async function measure(wharf: Wharf): Promise<Figures[]> {
  const out: Figures[] = [];
  for (const name of wharf.blobStores.names()) {
    const store = wharf.blobStores.metered(name);
    const usage = await store.usage().catch(() => undefined);
    if (!usage) continue;
    const status = await store.quotaStatus();
    const { softQuota, hardQuota } = store.quotas;
    out.push({
      name, bytes: usage.totalSizeInBytes, blobs: usage.blobCount, reclaimable: (await reclaimable(wharf.db, name)).bytes,
      soft: Boolean(status.soft), hard: Boolean(status.hard),
      quotas: [...(softQuota ? [['soft', softQuota] as const] : []), ...(hardQuota ? [['hard', hardQuota] as const] : [])],
    });
  }
  return out;
}

export function registerBlobStoreMetrics(registry: Registry, wharf: Wharf): void {
  let last: { at: number; figures: Promise<Figures[]> } | undefined;
  const figures = () => {
    if (!last || Date.now() - last.at > 1000) last = { at: Date.now(), figures: measure(wharf) };
    return last.figures;
  };
  const gauge = (name: string, help: string, set: (g: Gauge, f: Figures) => void, labelNames = ['blob_store']) =>
    new Gauge({
      name, help, labelNames, registers: [registry],
      async collect() {
        const all = await figures();
        this.reset();
        for (const f of all) set(this, f);
      },
    });
  gauge('wharf_blobstore_size_bytes', 'Bytes stored in the blob store', (g, f) => g.set({ blob_store: f.name }, f.bytes));
  gauge('wharf_blobstore_blobs', 'Blobs stored in the blob store', (g, f) => g.set({ blob_store: f.name }, f.blobs));
  gauge('wharf_blobstore_reclaimable_bytes', 'Bytes marked by garbage collection, removed by the next compact', (g, f) => g.set({ blob_store: f.name }, f.reclaimable));
  gauge('wharf_blobstore_soft_quota_exceeded', '1 when the blob store exceeds its soft quota', (g, f) => g.set({ blob_store: f.name }, f.soft ? 1 : 0));
  gauge('wharf_blobstore_hard_quota_reached', '1 when the blob store refuses writes (hard quota reached)', (g, f) => g.set({ blob_store: f.name }, f.hard ? 1 : 0));
  gauge('wharf_blobstore_quota_limit_bytes', 'Quota limit of the blob store',
    (g, f) => f.quotas.forEach(([quota, q]) => g.set({ blob_store: f.name, quota, type: q.type }, q.limit)), ['blob_store', 'quota', 'type']);
}
