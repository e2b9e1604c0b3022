// Tasks a new data directory starts with, so that space is reclaimed without anyone setting it up: each
// night cleanup (policies) -> Docker GC -> compaction of every blob store, staggered so each step normally
// finds the previous one done (each is safe while the others run), and a daily purge of stale uploads.
import type { Wharf } from '../wharf.js';
import type { NewTask } from './store.js';

const KV_KEY = 'tasks-provisioned';

export function defaultTasks(blobStores: string[]): NewTask[] {
  const base = { enabled: true, source: 'default' as const };
  return [
    { ...base, name: 'Cleanup (nightly)', type: 'repository.cleanup', schedule: { type: 'cron', cron: '0 1 * * *' }, properties: {} },
    { ...base, name: 'Docker GC (nightly)', type: 'repository.docker.gc', schedule: { type: 'cron', cron: '30 1 * * *' }, properties: { graceMinutes: 60 } },
    ...blobStores.map((name): NewTask => ({
      ...base, name: `Compact blob store ${name} (nightly)`, type: 'blobstore.compact', schedule: { type: 'cron', cron: '0 2 * * *' }, properties: { blobStoreName: name },
    })),
    { ...base, name: 'Docker upload purge (daily)', type: 'repository.docker.upload-purge', schedule: { type: 'cron', cron: '0 3 * * *' }, properties: { age: 24 } },
  ];
}

/** Creates the default tasks once per data directory (a later deletion by the user is respected). */
export async function provisionDefaultTasks(wharf: Wharf): Promise<void> {
  const done = await wharf.db.selectFrom('kv').select('value').where('key', '=', KV_KEY).executeTakeFirst();
  if (done) return;
  for (const task of defaultTasks(wharf.blobStores.names())) {
    if (!(await wharf.lifecycle.tasks.byName(task.name))) await wharf.lifecycle.tasks.create(task);
  }
  await wharf.db.insertInto('kv').values({ key: KV_KEY, value: String(Date.now()) })
    .onConflict((oc) => oc.column('key').doNothing()).execute();
}
