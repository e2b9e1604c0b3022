// wharf.yaml `cleanupPolicies:` and `tasks:` (DESIGN.md 1.4): applied at start, idempotent, exported, and
// refused with the key and reason when wrong.
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { reconcile } from '../../src/config/reconcile.js';
import { exportConfig } from '../../src/config/export.js';
import { checkConfig, ConfigError } from '../../src/config/load.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { rest } from './helpers.js';

const CONFIG = `repositories:
  - { name: releases, format: docker, type: hosted, storage: { blobStoreName: default }, cleanup: { policyNames: [keep-last-20] } }
cleanupPolicies:
  - { name: keep-last-20, format: docker, criteria: { retain: 20, lastDownloaded: 90 } }
tasks:
  - { name: nightly-compact, type: blobstore.compact, blobStoreName: default, cron: "30 2 * * 0" }
  - { name: gc-releases, type: repository.docker.gc, repositoryName: releases, frequency: daily, startTime: "04:15" }
`;

let t: TestWharf | undefined;
afterAll(() => t?.stop());

describe('lifecycle configuration', () => {
  it('creates the declared policies and tasks, reports nothing on a second apply, and exports them', async () => {
    t = await startWharf({ config: CONFIG });
    const policy = await rest(t, 'GET', '/cleanup-policies/keep-last-20');
    expect(policy.json.criteria).toEqual({ retain: 20, lastDownloaded: 90 });
    const tasks = (await rest(t, 'GET', '/tasks')).json.items as { name: string; type: string; cron?: string; frequency: string; properties: unknown; nextRun: string }[];
    expect(tasks.find((x) => x.name === 'nightly-compact')).toMatchObject({ type: 'blobstore.compact', cron: '30 2 * * 0', properties: { blobStoreName: 'default' } });
    const gc = tasks.find((x) => x.name === 'gc-releases')!;
    expect(gc).toMatchObject({ frequency: 'daily', properties: { repositoryName: 'releases' } });
    expect(new Date(gc.nextRun).getMinutes()).toBe(15);

    const config = checkConfig(parse(CONFIG), 'wharf.yaml');
    expect(await reconcile(t.running.wharf, config, true)).toEqual([]);
    const exported = await exportConfig(t.running.wharf);
    expect(exported.cleanupPolicies).toEqual([{ name: 'keep-last-20', format: 'docker', criteria: { retain: 20, lastDownloaded: 90 } }]);
    expect(exported.tasks).toEqual([
      { name: 'gc-releases', type: 'repository.docker.gc', frequency: 'daily', startTime: '04:15', repositoryName: 'releases' },
      { name: 'nightly-compact', type: 'blobstore.compact', cron: '30 2 * * 0', blobStoreName: 'default' },
    ]);
  });

  it('names the key and the reason of a wrong entry', () => {
    const wrong = (yaml: string) => {
      try {
        checkConfig(parse(yaml), 'wharf.yaml');
        return [];
      } catch (e) {
        return (e as ConfigError).problems.map((p) => `${p.key}: ${p.reason}`);
      }
    };
    expect(wrong('cleanupPolicies: [ { name: p, format: docker, criteria: { regex: "(" } } ]')[0]).toMatch(/^cleanupPolicies\[0\]\.criteria\.regex: not a regular expression/);
    expect(wrong('cleanupPolicies: [ { name: p, format: docker, criteria: {} } ]')[0]).toMatch(/^cleanupPolicies\[0\]\.criteria: at least one criterion/);
    expect(wrong('tasks: [ { name: t, type: blobstore.compact, cron: "61 * * * *" } ]')[0]).toMatch(/^tasks\[0\]\.cron: invalid cron expression/);
  });
});
