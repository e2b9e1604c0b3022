// wharf.yaml `cleanupPolicies:` and `tasks:`: checks at load time, and the reconcile plan (create or update
// what the file declares; objects made through the API stay). Tasks are matched by name.
import { checkPolicy, type CleanupPolicy } from '../cleanup/policy.js';
import type { Problem } from '../repository/format.js';
import { scheduleFields, scheduleFrom, scheduleProblem } from '../tasks/schedule.js';
import type { NewTask } from '../tasks/store.js';
import { taskTypes } from '../tasks/types/index.js';
import type { Wharf } from '../wharf.js';
import { TASK_KEYS, type CleanupPolicyEntry, type TaskEntry } from './lifecycle-schema.js';

export function policyOf(entry: CleanupPolicyEntry): CleanupPolicy {
  return { name: entry.name, format: entry.format.toLowerCase(), notes: entry.notes ?? '', criteria: { ...entry.criteria } };
}

export function taskOf(entry: TaskEntry): NewTask {
  const properties = Object.fromEntries(Object.entries(entry).filter(([k]) => !(TASK_KEYS as readonly string[]).includes(k)));
  return { name: entry.name, type: entry.type, schedule: scheduleFrom(entry), properties, enabled: entry.enabled ?? true, source: 'config' };
}

/** Problems of the lifecycle sections that need no database: policy criteria, task types and schedules. */
export function checkLifecycle(config: { cleanupPolicies?: CleanupPolicyEntry[]; tasks?: TaskEntry[] }): Problem[] {
  const problems: Problem[] = [];
  const names = new Set<string>();
  config.cleanupPolicies?.forEach((entry, i) => {
    if (names.has(entry.name)) problems.push({ key: `cleanupPolicies[${i}].name`, reason: `duplicate cleanup policy ${entry.name}` });
    names.add(entry.name);
    for (const p of checkPolicy(policyOf(entry))) problems.push({ key: `cleanupPolicies[${i}].${p.key}`, reason: p.reason });
  });
  const tasks = new Set<string>();
  config.tasks?.forEach((entry, i) => {
    if (tasks.has(entry.name)) problems.push({ key: `tasks[${i}].name`, reason: `duplicate task ${entry.name}` });
    tasks.add(entry.name);
    if (!taskTypes[entry.type]) problems.push({ key: `tasks[${i}].type`, reason: `unknown task type ${entry.type} (known: ${Object.keys(taskTypes).join(', ')})` });
    const bad = scheduleProblem(scheduleFrom(entry));
    if (bad) problems.push({ key: `tasks[${i}].${entry.cron ? 'cron' : 'frequency'}`, reason: bad });
  });
  return problems;
}

export interface LifecycleChange {
  kind: 'cleanupPolicy' | 'task';
  name: string;
  action: 'create' | 'update';
}

/** Plans the policies and tasks of `config`: calls `add` with each change and how to apply it. */
export async function planLifecycle(
  wharf: Wharf, config: { cleanupPolicies?: CleanupPolicyEntry[]; tasks?: TaskEntry[] },
  add: (change: LifecycleChange, apply: () => Promise<unknown>) => void,
): Promise<void> {
  const { policies, tasks, scheduler } = wharf.lifecycle;
  const existing = new Map((await policies.list()).map((p) => [p.name, p]));
  for (const entry of config.cleanupPolicies ?? []) {
    const policy = policyOf(entry);
    const old = existing.get(policy.name);
    if (old && JSON.stringify(old) === JSON.stringify(policy)) continue;
    add({ kind: 'cleanupPolicy', name: policy.name, action: old ? 'update' : 'create' }, () => policies.put(policy));
  }
  for (const entry of config.tasks ?? []) {
    const task = taskOf(entry);
    const old = await tasks.byName(task.name);
    if (old && JSON.stringify({ ...old, id: undefined }) === JSON.stringify({ ...task, id: undefined })) continue;
    add({ kind: 'task', name: task.name, action: old ? 'update' : 'create' }, async () => {
      if (old) await tasks.update(old.id, task);
      else await tasks.create(task);
      await scheduler.sync();
    });
  }
}

/** The lifecycle sections of `wharf config export`: every policy, and the tasks made by the file or the API
 *  (the defaults a data directory provisions itself are left out: a new directory makes its own). */
export async function exportLifecycle(wharf: Wharf): Promise<{ cleanupPolicies: CleanupPolicyEntry[]; tasks: TaskEntry[] }> {
  const cleanupPolicies = (await wharf.lifecycle.policies.list()).map((p) => ({ name: p.name, format: p.format, ...(p.notes && { notes: p.notes }), criteria: p.criteria }));
  const tasks = (await wharf.lifecycle.tasks.list()).filter((t) => t.source !== 'default').map((t): TaskEntry => {
    const { frequency, ...schedule } = scheduleFields(t.schedule);
    return {
      name: t.name, type: t.type, ...(frequency === 'cron' ? {} : { frequency: frequency as TaskEntry['frequency'] }), ...schedule,
      ...(!t.enabled && { enabled: false }), ...t.properties,
    };
  });
  return { cleanupPolicies, tasks };
}
