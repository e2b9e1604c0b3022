// Builds the DockerStore for a repository according to its type, once per configuration object.
import type { RepositoryConfig } from '../../repository/model.js';
import { proxySettings } from '../../proxy/config.js';
import { Upstream } from '../../proxy/upstream.js';
import type { Wharf } from '../../wharf.js';
import type { DockerStore } from './docker-store.js';
import { GroupDockerStore } from './group.js';
import { HostedDockerStore } from './hosted.js';
import { ProxyDockerStore } from './proxy.js';

const built = new WeakMap<RepositoryConfig, DockerStore>();

function build(wharf: Wharf, repo: RepositoryConfig): DockerStore {
  switch (repo.type) {
    case 'hosted':
      return new HostedDockerStore(repo, wharf.db, wharf.blobStores.get(repo.storage.blobStoreName), false, wharf.downloads);
    case 'proxy': {
      const hub = ((repo.dockerProxy as { indexType?: string } | undefined)?.indexType ?? '').toUpperCase() === 'HUB';
      const upstream = new Upstream(proxySettings(repo), wharf.log.child({ repository: repo.name }));
      return new ProxyDockerStore(repo, wharf.db, wharf.blobStores.get(repo.storage.blobStoreName), upstream, wharf.downloads, hub);
    }
    case 'group':
      return new GroupDockerStore(repo, () => (repo.group?.memberNames ?? [])
        .map((name) => wharf.repositories.get(name))
        .filter((m): m is RepositoryConfig => m?.format === 'docker' && m.online)
        .map((m) => dockerStore(wharf, m)));
  }
}

/** The store serving `repo`; a changed configuration object gets a new store. */
export function dockerStore(wharf: Wharf, repo: RepositoryConfig): DockerStore {
  let store = built.get(repo);
  if (!store) {
    store = build(wharf, repo);
    built.set(repo, store);
  }
  return store;
}
