// Configuration rules of raw repositories: a proxy names its upstream; a group's members are raw repositories,
// and its writable member (optional) is a hosted one.
import type { Problem } from '../../repository/format.js';
import { memberProblems } from '../../repository/group-members.js';
import type { RepositoryConfig } from '../../repository/model.js';

export function validateRaw(repo: RepositoryConfig, lookup: (name: string) => RepositoryConfig | undefined): Problem[] {
  const problems = memberProblems(repo, lookup);
  if (repo.type === 'proxy' && !(repo.proxy as { remoteUrl?: string } | undefined)?.remoteUrl) {
    problems.push({ key: 'proxy.remoteUrl', reason: 'a proxy repository needs the base URL of its upstream' });
  }
  const writable = repo.type === 'group' ? repo.group?.writableMember : undefined;
  if (writable !== undefined) {
    if (!repo.group?.memberNames.includes(writable)) problems.push({ key: 'group.writableMember', reason: `${writable} is not a member of the group` });
    else if (lookup(writable)?.type !== 'hosted') problems.push({ key: 'group.writableMember', reason: `${writable} is not a hosted repository, so it cannot take uploads` });
  }
  if (repo.group?.writeRoutes) problems.push({ key: 'group.writeRoutes', reason: 'raw groups have no write routes (they route Docker tags)' });
  return problems;
}
