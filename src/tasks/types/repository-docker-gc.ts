// repository.docker.gc: online garbage collection of Docker repositories (the format's collectGarbage hook),
// then soft deletion (marking) of the bytes no asset references any more in their blob stores.
import { formats } from '../../formats/index.js';
import type { Problem } from '../../repository/format.js';
import { markUnreferenced } from '../../storage/blob-marks.js';
import { formatBytes, optionalString, positiveNumber, type TaskType } from '../task-type.js';

const FORMAT = 'docker';
export const DEFAULT_GRACE_MINUTES = 60;

/** Repository names per blob store (what "referenced" means for that store). */
export function repositoriesOn(repos: { name: string; storage: { blobStoreName: string } }[], store: string): string[] {
  return repos.filter((r) => r.storage?.blobStoreName === store).map((r) => r.name);
}

export const repositoryDockerGc: TaskType = {
  type: 'repository.docker.gc',
  description: 'Docker - delete unused manifests and images',
  check(properties, wharf) {
    const problems: Problem[] = [];
    const name = optionalString(properties, 'repositoryName', problems);
    if (name && wharf.repositories.get(name)?.format !== FORMAT) problems.push({ key: 'repositoryName', reason: `no Docker repository named ${name}` });
    positiveNumber(properties, 'graceMinutes', problems);
    return problems;
  },
  async run({ wharf, properties, log, signal }) {
    const only = optionalString(properties, 'repositoryName', []);
    const graceMs = Number(properties.graceMinutes ?? DEFAULT_GRACE_MINUTES) * 60_000;
    const format = formats[FORMAT];
    const repos = wharf.repositories.list().filter((r) => r.format === FORMAT && r.type === 'hosted' && (!only || r.name === only));
    const totals: Record<string, number> = {};
    for (const repo of repos) {
      if (signal.aborted) break;
      const counts = (await format.collectGarbage?.(wharf, repo, { graceMs })) ?? {};
      for (const [k, v] of Object.entries(counts)) totals[k] = (totals[k] ?? 0) + v;
      log(`${repo.name}: removed ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
    }
    let marked = 0;
    let bytes = 0;
    for (const store of new Set(repos.map((r) => r.storage.blobStoreName))) {
      if (signal.aborted) break;
      const result = await markUnreferenced(wharf.db, wharf.blobStores.get(store), repositoriesOn(wharf.repositories.list(), store), graceMs);
      marked += result.marked;
      bytes += result.bytes;
      log(`blob store ${store}: marked ${result.marked} unreferenced blob(s), ${formatBytes(result.bytes)} reclaimable by compaction`);
    }
    return `removed ${Object.entries(totals).map(([k, v]) => `${v} ${k}`).join(', ') || 'nothing'}; marked ${marked} blob(s) (${formatBytes(bytes)})`;
  },
};
