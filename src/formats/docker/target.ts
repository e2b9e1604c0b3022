// Turns the name in a /v2/<name>/... URL into a repository and image (DESIGN.md 1.2): path routing when the
// first segment names a Docker repository, the default repository otherwise, or the connector's own.
import { NotFoundError } from '../../repository/errors.js';
import type { RepositoryConfig } from '../../repository/model.js';
import type { Wharf } from '../../wharf.js';
import type { DockerStore } from './docker-store.js';
import { OciError } from './errors.js';
import { checkName } from './reference.js';
import { dockerStore } from './stores.js';
import { GroupDockerStore } from './group.js';
import type { Principal } from '../../security/access.js';

export interface Target {
  repo: RepositoryConfig;
  store: DockerStore;
  image: string;
  /** The name as the client wrote it, for Location headers and Link URLs. */
  urlName: string;
}

/** Resolves a /v2 name; `fixed` is the repository of a connector port. Throws NAME_INVALID / NAME_UNKNOWN. */
export function resolveTarget(wharf: Wharf, urlName: string, fixed?: string): Target {
  checkName(urlName);
  let repo: RepositoryConfig | undefined;
  let image = urlName;
  if (fixed) {
    repo = wharf.repositories.get(fixed);
  } else {
    const slash = urlName.indexOf('/');
    const first = slash > 0 ? wharf.repositories.get(urlName.slice(0, slash)) : undefined;
    if (first?.format === 'docker') {
      repo = first;
      image = urlName.slice(slash + 1);
    } else if (wharf.server.docker.defaultRepository) {
      repo = wharf.repositories.get(wharf.server.docker.defaultRepository);
    }
  }
  if (!repo || repo.format !== 'docker') throw new NotFoundError('name', `no Docker repository serves ${urlName}`);
  if (!repo.online) throw new OciError('UNAVAILABLE', `repository ${repo.name} is offline`);
  return { repo, store: dockerStore(wharf, repo), image, urlName };
}

/** The target as `principal` may use it: a group serves only the members the caller can read. */
export function forPrincipal(wharf: Wharf, target: Target, principal: Principal | undefined): Target {
  if (!(target.store instanceof GroupDockerStore)) return target;
  const store = target.store.withAccess({
    canRead: (repo) => wharf.access.allows(principal, repo, 'read'),
    canWrite: (repo) => wharf.access.allows(principal, repo, 'add'),
  });
  return { ...target, store };
}
