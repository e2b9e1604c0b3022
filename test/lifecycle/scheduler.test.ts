// The scheduler against a real server and database: cron firing, one run at a time, stop, the lease that
// lets one node run a task when two share the database (stop requests and takeover of an expired lease),
// and one run per scheduled firing across nodes.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/repository/errors.js';
import { Scheduler } from '../../src/tasks/scheduler.js';
import { taskTypes } from '../../src/tasks/types/index.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { rest } from './helpers.js';

let t: TestWharf;
const quiet = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
    const v = await probe();
    if (v) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  // A task type that runs until stopped: only tests register it.
  taskTypes['test.wait'] = {
    type: 'test.wait', description: 'waits until stopped',
    check: () => [],
    async run({ log, signal }) {
      log('waiting');
      await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      return 'stopped while waiting';
    },
  };
  t = await startWharf();
});
afterAll(async () => {
  await t?.stop();
  delete taskTypes['test.wait'];
});

async function createTask(body: Record<string, unknown>): Promise<string> {
  const created = await rest(t, 'POST', '/tasks', body);
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  return created.json.id;
}

describe('scheduler', () => {
  it('provisions the nightly chain and the upload purge on a new data directory', async () => {
    const { json } = await rest(t, 'GET', '/tasks');
    const byType = Object.fromEntries(json.items.map((i: { type: string; name: string }) => [i.type, i]));
    expect(Object.keys(byType).sort()).toEqual(['blobstore.compact', 'repository.cleanup', 'repository.docker.gc', 'repository.docker.upload-purge']);
    expect(byType['blobstore.compact'].properties).toEqual({ blobStoreName: 'default' });
    expect(byType['repository.docker.gc']).toMatchObject({ currentState: 'WAITING', lastRunResult: null, frequency: 'cron', cron: '30 1 * * *' });
    expect(new Date(byType['repository.docker.gc'].nextRun).getTime()).toBeGreaterThan(Date.now());
  });

  it('fires a cron task on schedule and records the run with its log', async () => {
    const id = await createTask({ name: 'every-second', type: 'repository.docker.upload-purge', cron: '* * * * * *', properties: { age: 1 } });
    const run = await until('a scheduled run', async () => (await rest(t, 'GET', `/tasks/${id}/history`)).json.items.find((r: { state: string }) => r.state === 'ok'));
    expect(run).toMatchObject({ trigger: 'schedule', message: 'purged 0 incomplete upload(s)', node: t.running.wharf.lifecycle.scheduler.node });
    expect(run.log[0]).toMatch(/started repository\.docker\.upload-purge/);
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    const task = (await rest(t, 'GET', `/tasks/${id}`)).json;
    expect(task.lastRunResult).toBe('OK');
    expect(task.message).toBe('purged 0 incomplete upload(s)');
    expect((await rest(t, 'DELETE', `/tasks/${id}`)).status).toBe(204);
  });

  it('runs a task once at a time, and stops it', async () => {
    const id = await createTask({ name: 'waiter', type: 'test.wait', frequency: 'manual' });
    expect((await rest(t, 'POST', `/tasks/${id}/run`)).status).toBe(204);
    expect((await rest(t, 'GET', `/tasks/${id}`)).json.currentState).toBe('RUNNING');
    const again = await rest(t, 'POST', `/tasks/${id}/run`);
    expect(again.status).toBe(409);
    expect(again.json.message).toMatch(/already running/);
    expect((await rest(t, 'DELETE', `/tasks/${id}`)).status).toBe(409);
    expect((await rest(t, 'POST', `/tasks/${id}/stop`)).status).toBe(204);
    await until('the stop', async () => (await rest(t, 'GET', `/tasks/${id}`)).json.lastRunResult === 'CANCELED');
    expect((await rest(t, 'POST', `/tasks/${id}/stop`)).status).toBe(409);
    const history = (await rest(t, 'GET', `/tasks/${id}/history`)).json.items;
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ state: 'stopped', trigger: 'manual' });
  });

  it('shares one lease between two nodes: the other node refuses to run, forwards stops, and takes over an expired lease', async () => {
    const wharf = t.running.wharf;
    const other = new Scheduler(() => wharf, wharf.lifecycle.tasks, quiet, { node: 'node-b', leaseMs: 600 });
    const id = await createTask({ name: 'shared-waiter', type: 'test.wait', frequency: 'manual' });
    await wharf.lifecycle.scheduler.runNow(id);
    await expect(other.runNow(id)).rejects.toBeInstanceOf(ConflictError);
    await other.stop(id); // reaches node A through the lease row, read at A's next renewal
    await until('A to stop', async () => !(await wharf.lifecycle.scheduler.isRunning(id)));

    // Node B runs it now and then "dies": its lease expires and node A takes over, closing B's run as failed.
    const runB = await other.runNow(id);
    await other.close().catch(() => {}); // aborts B's run; simulate a crash instead by re-opening its lease row
    await wharf.db.deleteFrom('task_leases').where('task_id', '=', id).execute();
    await wharf.db.updateTable('task_runs').set({ state: 'running', ended_at: null }).where('id', '=', runB).execute();
    await wharf.db.insertInto('task_leases').values({ task_id: id, node: 'node-b', run_id: runB, expires_at: Date.now() + 300, stop_requested: 0 }).execute();
    await expect(wharf.lifecycle.scheduler.runNow(id)).rejects.toBeInstanceOf(ConflictError);
    await sleep(400);
    const runA = await wharf.lifecycle.scheduler.runNow(id);
    expect(runA).toBeGreaterThan(runB);
    const history = (await rest(t, 'GET', `/tasks/${id}/history`)).json.items;
    expect(history.find((r: { id: number }) => r.id === runB)).toMatchObject({ state: 'failed', message: 'node node-b stopped renewing its lease' });
    await wharf.lifecycle.scheduler.stop(id);
    await wharf.lifecycle.scheduler.settled(id);
  });

  it('runs each scheduled firing on one node only when two nodes schedule the same task', async () => {
    const wharf = t.running.wharf;
    const other = new Scheduler(() => wharf, wharf.lifecycle.tasks, quiet, { node: 'node-c' });
    const id = await createTask({ name: 'two-nodes', type: 'repository.docker.upload-purge', cron: '* * * * * *', properties: { age: 1 } });
    await other.start();
    const started = Date.now();
    await sleep(3_500);
    await other.close();
    const runs = await wharf.lifecycle.tasks.runs(id);
    await rest(t, 'DELETE', `/tasks/${id}`);
    const seconds = new Set(runs.map((r) => Math.floor(r.startedAt / 1000)));
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 1);
    expect(seconds.size).toBe(runs.length); // never two runs of one firing
  });
});
