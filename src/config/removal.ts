// Whether repositories and blob stores can go: shared by the REST API (DELETE) and `prune: true`, so a
// group never loses a member behind its back and a blob store is never dropped under a repository.
import type { RepositoryConfig } from '../repository/model.js';
import type { ServerSettings } from '../wharf.js';

/**
 * Why removing `names` from `repos` would break what stays (a group that keeps listing one of them, or the
 * default Docker repository), or undefined when it is fine.
 */
export function repositoryRemovalProblem(repos: RepositoryConfig[], names: Set<string>, server: ServerSettings): string | undefined {
  for (const repo of repos) {
    if (names.has(repo.name)) continue;
    const members = (repo.group?.memberNames ?? []).filter((m) => names.has(m));
    if (members.length) return `${members.join(', ')} ${members.length > 1 ? 'are members' : 'is a member'} of group ${repo.name}: remove ${members.length > 1 ? 'them' : 'it'} from the group first`;
  }
  const def = server.docker.defaultRepository;
  if (def && names.has(def)) return `${def} is the default Docker repository (docker.defaultRepository): choose another first`;
  return undefined;
}

/** Why blob stores `names` cannot go (a repository that stays uses one), or undefined. */
export function blobStoreRemovalProblem(repos: RepositoryConfig[], names: Set<string>): string | undefined {
  const user = repos.find((r) => names.has(r.storage.blobStoreName));
  return user && `blob store ${user.storage.blobStoreName} is used by repository ${user.name}`;
}
