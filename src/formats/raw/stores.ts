// Builds the RawStore for a repository according to its type, once per configuration object.
import { proxySettings } from '../../proxy/config.js';
import { Upstream } from '../../proxy/upstream.js';
import type { RepositoryConfig } from '../../repository/model.js';
import type { Principal } from '../../security/access.js';
import type { Wharf } from '../../wharf.js';
import { GroupRawStore } from './group.js';
import { HostedRawStore } from './hosted.js';
import { ProxyRawStore } from './proxy.js';
import type { RawStore } from './raw-store.js';

const built = new WeakMap<RepositoryConfig, RawStore>();

function build(wharf: Wharf, repo: RepositoryConfig): RawStore {
  const blobs = () => wharf.blobStores.get(repo.storage.blobStoreName);
  switch (repo.type) {
    case 'hosted':
      return new HostedRawStore(repo, wharf.db, blobs(), wharf.downloads);
    case 'proxy':
      return new ProxyRawStore(repo, wharf.db, blobs(), new Upstream(proxySettings(repo), wharf.log.child({ repository: repo.name })), wharf.downloads);
    case 'group':
      return new GroupRawStore(repo, () => (repo.group?.memberNames ?? [])
        .map((name) => wharf.repositories.get(name))
        .filter((m): m is RepositoryConfig => m?.format === 'raw' && m.online)
        .map((m) => rawStore(wharf, m)));
  }
}

/** The store serving `repo`; a changed configuration object gets a new store. */
export function rawStore(wharf: Wharf, repo: RepositoryConfig): RawStore {
  let store = built.get(repo);
  if (!store) {
    store = build(wharf, repo);
    built.set(repo, store);
  }
  return store;
}

/** The store as `principal` may use it: a group serves only the members the caller can read. */
export function rawStoreFor(wharf: Wharf, repo: RepositoryConfig, principal: Principal | undefined): RawStore {
  const store = rawStore(wharf, repo);
  if (!(store instanceof GroupRawStore)) return store;
  return store.withAccess({
    canRead: (member) => wharf.access.allows(principal, member, 'read'),
    canWrite: (member) => wharf.access.allows(principal, member, 'add'),
  });
}
