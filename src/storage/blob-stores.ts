// The blob stores of this server, by name, built from their configuration by a factory per type, each wrapped
// with its usage figures and quotas (metered-blob-store.ts).
import { isAbsolute, join } from 'node:path';
import type { Logger } from 'pino';
import type { BlobStore } from './blob-store.js';
import { FileBlobStore } from './file-blob-store.js';
import { MeteredBlobStore, type Quotas } from './metered-blob-store.js';
import type { S3Settings } from './s3-settings.js';

export interface BlobStoreConfig extends Quotas {
  name: string;
  type: string;
  path?: string;
  [key: string]: unknown;
}

type Factory = (config: BlobStoreConfig, dataDir: string) => Promise<BlobStore>;

const factories: Record<string, Factory> = {
  async file(config, dataDir) {
    const store = new FileBlobStore(config.name, fileStorePath(config, dataDir));
    await store.init();
    return store;
  },
  async s3(config) {
    // Imported when the first S3 store opens: it loads the AWS SDK (docs/decisions/startup-time.md).
    const { S3BlobStore } = await import('./s3-blob-store.js');
    return new S3BlobStore(config.name, config as unknown as S3Settings);
  },
};

export const blobStoreTypes = Object.keys(factories);

/** Where a file blob store keeps its files. */
export function fileStorePath(config: { name: string; path?: string }, dataDir: string): string {
  const path = config.path ?? join('blobs', config.name);
  return isAbsolute(path) ? path : join(dataDir, path);
}

/** The settings that decide where the bytes are: a change of anything else (quotas) keeps the open store. */
function location({ softQuota: _s, hardQuota: _h, ...rest }: BlobStoreConfig): string {
  return JSON.stringify(rest);
}

export class BlobStores {
  private readonly stores = new Map<string, { store: MeteredBlobStore; location: string }>();

  constructor(private readonly dataDir: string, private readonly log?: Logger) {}

  /**
   * Opens (or re-opens with new settings) a blob store. Throws for an unknown type. A change of quotas only
   * applies to the open store in place, so repositories already holding it see the new limits. With `check`
   * (e.g. "can it be counted?"), a new store replaces the open one only if the check passes; otherwise the
   * check's error is thrown and nothing changes.
   */
  async open(config: BlobStoreConfig, check?: (store: MeteredBlobStore) => Promise<unknown>): Promise<BlobStore> {
    const factory = factories[config.type];
    if (!factory) throw new Error(`blob store ${config.name}: unknown type ${config.type}`);
    const open = this.stores.get(config.name);
    const quotas = { softQuota: config.softQuota, hardQuota: config.hardQuota };
    if (open && open.location === location(config)) {
      await check?.(open.store);
      open.store.setQuotas(quotas);
      return open.store;
    }
    const store = new MeteredBlobStore(await factory(config, this.dataDir), quotas, this.log);
    try {
      await check?.(store);
    } catch (e) {
      store.close();
      throw e;
    }
    open?.store.close();
    this.stores.set(config.name, { store, location: location(config) });
    return store;
  }

  /** The named store; throws when it is not configured. */
  get(name: string): BlobStore {
    return this.metered(name);
  }

  /** The named store with its figures and quotas; throws when it is not configured. */
  metered(name: string): MeteredBlobStore {
    const open = this.stores.get(name);
    if (!open) throw new Error(`blob store ${name} is not configured`);
    return open.store;
  }

  /** Stops serving a store (its configuration was deleted); its files stay on disk. Safe to call twice. */
  forget(name: string): void {
    this.stores.get(name)?.store.close();
    this.stores.delete(name);
  }

  names(): string[] {
    return [...this.stores.keys()];
  }

  close(): void {
    for (const { store } of this.stores.values()) store.close();
  }
}
