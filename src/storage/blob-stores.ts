// The blob stores of this server, by name, built from their configuration by a factory per type.
import { isAbsolute, join } from 'node:path';
import type { BlobStore } from './blob-store.js';
import { FileBlobStore } from './file-blob-store.js';

export interface BlobStoreConfig {
  name: string;
  type: string;
  path?: string;
  [key: string]: unknown;
}

type Factory = (config: BlobStoreConfig, dataDir: string) => Promise<BlobStore>;

const factories: Record<string, Factory> = {
  async file(config, dataDir) {
    const path = config.path ?? join('blobs', config.name);
    const store = new FileBlobStore(config.name, isAbsolute(path) ? path : join(dataDir, path));
    await store.init();
    return store;
  },
};

export const blobStoreTypes = Object.keys(factories);

export class BlobStores {
  private readonly stores = new Map<string, BlobStore>();

  constructor(private readonly dataDir: string) {}

  /** Opens (or re-opens with new settings) a blob store. Throws for an unknown type. */
  async open(config: BlobStoreConfig): Promise<BlobStore> {
    const factory = factories[config.type];
    if (!factory) throw new Error(`blob store ${config.name}: unknown type ${config.type}`);
    const store = await factory(config, this.dataDir);
    this.stores.set(config.name, store);
    return store;
  }

  /** The named store; throws when it is not configured. */
  get(name: string): BlobStore {
    const store = this.stores.get(name);
    if (!store) throw new Error(`blob store ${name} is not configured`);
    return store;
  }

  names(): string[] {
    return [...this.stores.keys()];
  }
}
