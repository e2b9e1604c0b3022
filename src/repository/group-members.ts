// Configuration rules every format's group repositories share: members exist, are of the group's format, and
// groups do not contain each other.
import type { Problem } from './format.js';
import type { RepositoryConfig } from './model.js';

/** Problems with `repo.group.memberNames` (none when `repo` is not a group). */
export function memberProblems(repo: RepositoryConfig, lookup: (name: string) => RepositoryConfig | undefined): Problem[] {
  if (repo.type !== 'group') return repo.group ? [{ key: 'group', reason: `only group repositories have members (this one is ${repo.type})` }] : [];
  if (!repo.group) return [{ key: 'group.memberNames', reason: 'a group repository needs members' }];
  const problems: Problem[] = [];
  repo.group.memberNames.forEach((name, i) => {
    const member = lookup(name);
    if (!member) problems.push({ key: `group.memberNames[${i}]`, reason: `no repository named ${name}` });
    else if (member.format !== repo.format) problems.push({ key: `group.memberNames[${i}]`, reason: `${name} is a ${member.format} repository, not ${repo.format}` });
  });
  const cycle = findCycle(repo.name, lookup);
  if (cycle) problems.push({ key: 'group.memberNames', reason: `groups contain each other: ${cycle.join(' -> ')}` });
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
