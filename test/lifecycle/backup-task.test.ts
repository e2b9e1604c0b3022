// The scheduled backup task (backup.create): a run makes a backup that `verifyBackup` accepts, and a
// second run into the same directory copies only new blobs (incremental by content address).
import { afterAll, describe, expect, it } from 'vitest';
import { verifyBackup } from '../../src/storage/backup.js';
import { hostedConfig, makeImage, pushImage } from '../helpers/registry.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { onPostgres } from '../helpers/postgres.js';
import { rest, runTask } from './helpers.js';
import { join } from 'node:path';

let t: TestWharf | undefined;
afterAll(() => t?.stop());

// The task runs `wharf backup create`, which copies SQLite data directories (PostgreSQL: pg_dump, README).
describe.skipIf(onPostgres)('backup.create task', () => {
  it('backs up into a directory relative to WHARF_DATA, incrementally', async () => {
    t = await startWharf({ config: hostedConfig({ hosted: {} }) });
    await pushImage(t, 'hosted/app', '1', makeImage('first'));
    const first = await runTask(t, 'backup.create', { location: 'backups/nightly' }, 'backup');
    expect(first.run.state, first.run.message).toBe('ok');
    expect(first.run.message).toMatch(/backups\/nightly: 4 blobs \(.*\), 4 copied$/); // config, 2 layers, manifest
    await pushImage(t, 'hosted/app', '2', makeImage('second'));
    expect((await rest(t, 'POST', `/tasks/${first.id}/run`)).status).toBe(204);
    await t.running.wharf.lifecycle.scheduler.settled(first.id);
    const runs = (await rest(t, 'GET', `/tasks/${first.id}/history`)).json.items;
    expect(runs[0].message).toMatch(/: 8 blobs \(.*\), 4 copied$/);
    expect(await verifyBackup(join(t.dataDir, 'backups', 'nightly'))).toEqual({ blobs: 8, problems: [] });
    const bad = await rest(t, 'POST', '/tasks', { name: 'nowhere', type: 'backup.create', frequency: 'daily' });
    expect(bad.json.details[0]).toMatchObject({ field: 'properties.location' });
  });
});
