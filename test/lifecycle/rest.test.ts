// REST errors of /tasks and /cleanup-policies (validation with the failing field, 401, 404, 409), and the
// upload purge task against real upload sessions.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOciError, hostedConfig, v2 } from '../helpers/registry.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { rest, runTask } from './helpers.js';

let t: TestWharf;
beforeAll(async () => {
  t = await startWharf({ config: hostedConfig({ hosted: {} }) });
});
afterAll(() => t?.stop());

describe('tasks REST errors', () => {
  it('names the failing field, refuses duplicates and unknown ids, and needs a login', async () => {
    const badType = await rest(t, 'POST', '/tasks', { name: 'x', type: 'no.such', frequency: 'daily' });
    expect(badType.status).toBe(400);
    expect(badType.json.details).toContainEqual(expect.objectContaining({ field: 'type' }));
    const badCron = await rest(t, 'POST', '/tasks', { name: 'x', type: 'blobstore.compact', cron: '99 * * * *' });
    expect(badCron.status).toBe(400);
    expect(badCron.json.details[0]).toMatchObject({ field: 'cron' });
    const badStore = await rest(t, 'POST', '/tasks', { name: 'x', type: 'blobstore.compact', frequency: 'weekly', properties: { blobStoreName: 'nope' } });
    expect(badStore.status).toBe(400);
    expect(badStore.json.details[0]).toMatchObject({ field: 'properties.blobStoreName', message: 'no blob store named nope' });

    const ok = await rest(t, 'POST', '/tasks', { name: 'weekly-compact', type: 'blobstore.compact', frequency: 'weekly', startTime: '04:30' });
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ frequency: 'weekly', startTime: '04:30', currentState: 'WAITING' });
    expect(new Date(ok.json.nextRun).getUTCDay() === 0 || new Date(ok.json.nextRun).getDay() === 0).toBe(true);
    expect((await rest(t, 'POST', '/tasks', { name: 'weekly-compact', type: 'blobstore.compact' })).status).toBe(409);
    const moved = await rest(t, 'PUT', `/tasks/${ok.json.id}`, { name: 'weekly-compact', type: 'repository.cleanup' });
    expect(moved.status).toBe(400);
    expect((await rest(t, 'PUT', `/tasks/${ok.json.id}`, { name: 'weekly-compact', type: 'blobstore.compact', cron: '0 5 * * *' })).status).toBe(204);
    expect((await rest(t, 'GET', `/tasks/${ok.json.id}`)).json).toMatchObject({ frequency: 'cron', cron: '0 5 * * *' });
    for (const path of ['/tasks/nope', '/tasks/nope/history']) expect((await rest(t, 'GET', path)).status).toBe(404);
    expect((await rest(t, 'POST', '/tasks/nope/run')).status).toBe(404);
    expect((await rest(t, 'POST', `/tasks/${ok.json.id}/stop`)).status).toBe(409);
    const anonymous = await fetch(`${t.url}/service/rest/v1/tasks`);
    expect(anonymous.status).toBe(401);
    expect((await rest(t, 'DELETE', `/tasks/${ok.json.id}`)).status).toBe(204);
    expect((await rest(t, 'DELETE', `/tasks/${ok.json.id}`)).status).toBe(404);
  });
});

describe('cleanup policies REST', () => {
  it('validates criteria, accepts Nexus fields, refuses deleting a policy in use', async () => {
    const none = await rest(t, 'POST', '/cleanup-policies', { name: 'empty', format: 'docker' });
    expect(none.status).toBe(400);
    expect(none.json.details[0].field).toBe('criteria');
    const regex = await rest(t, 'POST', '/cleanup-policies', { name: 'bad', format: 'docker', criteria: { regex: '(' } });
    expect(regex.status).toBe(400);
    expect(regex.json.details[0].field).toBe('criteria.regex');
    const format = await rest(t, 'POST', '/cleanup-policies', { name: 'bad', format: 'cobol', criteria: { retain: 1 } });
    expect(format.json.details[0].field).toBe('format');

    const nexus = await rest(t, 'POST', '/cleanup-policies', { name: 'old-rc', format: 'docker', criteriaLastBlobUpdated: 30, criteriaReleaseType: 'PRERELEASES' });
    expect(nexus.status).toBe(201);
    expect(nexus.json).toMatchObject({ criteria: { lastBlobUpdated: 30, prerelease: true }, criteriaLastBlobUpdated: 30, criteriaReleaseType: 'PRERELEASES', retain: null });
    expect((await rest(t, 'POST', '/cleanup-policies', { name: 'old-rc', format: 'docker', retain: 2 })).status).toBe(409);
    expect((await rest(t, 'PUT', '/cleanup-policies/old-rc', { name: 'old-rc', format: 'docker', retain: 2 })).status).toBe(204);
    expect((await rest(t, 'GET', '/cleanup-policies/old-rc')).json.criteria).toEqual({ retain: 2 });
    expect((await rest(t, 'GET', '/cleanup-policies/nope')).status).toBe(404);
    expect((await rest(t, 'GET', '/cleanup-policies/old-rc/preview?repository=nope')).status).toBe(404);
    const unsaved = await rest(t, 'POST', '/cleanup-policies/preview', { repository: 'hosted', policy: { format: 'docker', criteria: { retain: 1 } } });
    expect(unsaved.json).toEqual({ total: 0, items: [] });

    const repo = { ...t.running.wharf.repositories.get('hosted')!, cleanup: { policyNames: ['old-rc'] } };
    await t.running.wharf.repositories.put(repo);
    const inUse = await rest(t, 'DELETE', '/cleanup-policies/old-rc');
    expect(inUse.status).toBe(409);
    expect(inUse.json.message).toMatch(/used by hosted/);
    await t.running.wharf.repositories.put({ ...repo, cleanup: { policyNames: [] } });
    expect((await rest(t, 'DELETE', '/cleanup-policies/old-rc')).status).toBe(204);
  });
});

describe('upload purge', () => {
  it('removes upload sessions idle for longer than the age, with their bytes, and keeps recent ones', async () => {
    const start = async () => {
      const res = await v2(t, 'hosted/app/blobs/uploads/', { method: 'POST' });
      expect(res.status).toBe(202);
      const location = res.headers.get('location')!;
      const patched = await v2(t, location.replace(/^.*\/v2\//, ''), { method: 'PATCH', body: Buffer.alloc(1000, 1), headers: { 'content-type': 'application/octet-stream' } });
      expect(patched.status).toBe(202);
      return { location: patched.headers.get('location')!, id: location.split('/').pop()!.split('?')[0] };
    };
    const stale = await start();
    const recent = await start();
    await t.running.wharf.db.updateTable('upload_sessions').set({ updated_at: Date.now() - 3 * 3_600_000 }).where('id', '=', stale.id).execute();
    const uploads = join(t.dataDir, 'blobs', 'default', 'uploads');
    expect(existsSync(join(uploads, stale.id))).toBe(true);

    const { run } = await runTask(t, 'repository.docker.upload-purge', { age: 2 });
    expect(run.state).toBe('ok');
    expect(run.message).toBe('purged 1 incomplete upload(s)');
    expect(existsSync(join(uploads, stale.id))).toBe(false);
    await expectOciError(await v2(t, stale.location.replace(/^.*\/v2\//, '')), 404, 'BLOB_UPLOAD_UNKNOWN');
    expect((await v2(t, recent.location.replace(/^.*\/v2\//, ''))).status).toBe(204);
  });
});
