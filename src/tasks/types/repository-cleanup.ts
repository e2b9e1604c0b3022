// repository.cleanup: applies each repository's cleanup policies (repository.cleanup.policyNames). Tags and
// versions go; what they referenced is left to garbage collection and compaction.
import { applyPolicy } from '../../cleanup/run.js';
import type { Problem } from '../../repository/format.js';
import { optionalString, type TaskType } from '../task-type.js';

export const repositoryCleanup: TaskType = {
  type: 'repository.cleanup',
  description: 'Cleanup - apply cleanup policies',
  check(properties, wharf) {
    const problems: Problem[] = [];
    const name = optionalString(properties, 'repositoryName', problems);
    if (name && !wharf.repositories.get(name)) problems.push({ key: 'repositoryName', reason: `no repository named ${name}` });
    return problems;
  },
  async run({ wharf, properties, log, signal }) {
    const only = optionalString(properties, 'repositoryName', []);
    const policies = new Map((await wharf.lifecycle.policies.list()).map((p) => [p.name, p]));
    let removed = 0;
    let repos = 0;
    for (const repo of wharf.repositories.list()) {
      if (signal.aborted) break;
      if ((only && repo.name !== only) || !repo.cleanup?.policyNames?.length) continue;
      repos++;
      for (const name of repo.cleanup.policyNames) {
        const policy = policies.get(name);
        if (!policy) {
          log(`${repo.name}: cleanup policy ${name} does not exist, skipped`);
          continue;
        }
        const items = await applyPolicy(wharf.db, repo, policy);
        removed += items.length;
        log(`${repo.name}: policy ${name} removed ${items.length} component(s)${items.length ? `: ${items.slice(0, 50).map((i) => `${i.name}:${i.version}`).join(', ')}${items.length > 50 ? ' ...' : ''}` : ''}`);
      }
    }
    return `removed ${removed} component(s) from ${repos} repository(ies)`;
  },
};
