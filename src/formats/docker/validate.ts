// Configuration rules of Docker repositories: connector ports, proxy upstream, group members and routes.
import type { Problem, ValidateContext } from '../../repository/format.js';
import type { RepositoryConfig } from '../../repository/model.js';

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
  if (repo.type !== 'group') {
    if (repo.group) problems.push({ key: 'group', reason: `only group repositories have members (this one is ${repo.type})` });
    return problems;
  }
  const group = repo.group;
  if (!group) return [...problems, { key: 'group.memberNames', reason: 'a group repository needs members' }];
  group.memberNames.forEach((name, i) => {
    const member = lookup(name);
    if (!member) problems.push({ key: `group.memberNames[${i}]`, reason: `no repository named ${name}` });
    else if (member.format !== 'docker') problems.push({ key: `group.memberNames[${i}]`, reason: `${name} is a ${member.format} repository, not docker` });
  });
  const cycle = findCycle(repo.name, lookup);
  if (cycle) problems.push({ key: 'group.memberNames', reason: `groups contain each other: ${cycle.join(' -> ')}` });
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

/** A path of group names that leads back to `start`, if any. */
function findCycle(start: string, lookup: (name: string) => RepositoryConfig | undefined): string[] | undefined {
  const walk = (name: string, path: string[]): string[] | undefined => {
    for (const member of lookup(name)?.group?.memberNames ?? []) {
      if (member === start) return [...path, member];
      if (path.includes(member)) continue;
      const found = walk(member, [...path, member]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}
