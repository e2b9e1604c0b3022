// Configuration rules of Docker repositories: connector ports, proxy upstream, group members and routes.
import type { Problem, ValidateContext } from '../../repository/format.js';
import type { RepositoryConfig } from '../../repository/model.js';
import { memberProblems } from '../../repository/group-members.js';

export interface DockerSection {
  httpPort?: number;
  httpsPort?: number;
  forceBasicAuth?: boolean;
  v1Enabled?: boolean;
}

export function validateDocker(repo: RepositoryConfig, lookup: (name: string) => RepositoryConfig | undefined, context?: ValidateContext): Problem[] {
  const problems: Problem[] = [];
  const section = (repo.docker ?? {}) as DockerSection;
  if (section.httpsPort !== undefined && !context?.tls) problems.push({ key: 'docker.httpsPort', reason: 'an HTTPS connector serves the server certificate: configure http.tls (certFile, keyFile) first' });
  if (repo.type === 'proxy' && !(repo.proxy as { remoteUrl?: string } | undefined)?.remoteUrl) {
    problems.push({ key: 'proxy.remoteUrl', reason: 'a proxy repository needs the URL of its upstream registry' });
  }
  problems.push(...memberProblems(repo, lookup));
  const group = repo.group;
  if (repo.type !== 'group' || !group) return problems;
  const writable = (name: string | undefined, key: string) => {
    if (name === undefined) return;
    if (!group.memberNames.includes(name)) problems.push({ key, reason: `${name} is not a member of the group` });
    else if (lookup(name)?.type !== 'hosted') problems.push({ key, reason: `${name} is not a hosted repository, so it cannot take pushes` });
  };
  writable(group.writableMember, 'group.writableMember');
  group.writeRoutes?.forEach((route, i) => {
    writable(route.member, `group.writeRoutes[${i}].member`);
    try {
      new RegExp(route.tagPattern);
    } catch (e) {
      problems.push({ key: `group.writeRoutes[${i}].tagPattern`, reason: `not a regular expression: ${(e as Error).message}` });
    }
  });
  return problems;
}
