// The lease that makes a task run on one node at a time, in the database so that nodes sharing it agree.
// A node takes the lease (creating the run row in the same transaction), renews it while the run goes on,
// and gives it back at the end. A lease whose holder stopped renewing expires and can be taken over; the
// dead holder's run is then closed as failed. Stop requests travel through the lease row, so a stop sent
// to any node reaches the node that runs the task.
import type { Db } from '../storage/database.js';

export interface Lease {
  taskId: string;
  runId: number;
}

export type Acquired = Lease | 'busy' | 'slot-taken';

/**
 * Takes the lease of `taskId` for `node` and opens a run. With `slot` (a scheduled firing time), only the
 * first node to claim that slot runs it. Returns 'busy' while another run holds a live lease.
 */
export async function acquire(db: Db, taskId: string, node: string, trigger: string, leaseMs: number, slot?: number): Promise<Acquired> {
  return db.transaction().execute(async (tx) => {
    const now = Date.now();
    const held = await tx.selectFrom('task_leases').selectAll().where('task_id', '=', taskId).executeTakeFirst();
    if (held && Number(held.expires_at) > now) return 'busy';
    if (slot !== undefined) {
      const claimed = await tx.updateTable('tasks').set({ last_slot: slot }).where('id', '=', taskId)
        .where((eb) => eb.or([eb('last_slot', 'is', null), eb('last_slot', '<', slot)])).executeTakeFirst();
      if (!Number(claimed.numUpdatedRows)) return 'slot-taken';
    }
    if (held) {
      await tx.updateTable('task_runs').set({ state: 'failed', message: `node ${held.node} stopped renewing its lease`, ended_at: now })
        .where('id', '=', held.run_id).where('state', '=', 'running').execute();
    }
    const run = await tx.insertInto('task_runs').values({
      task_id: taskId, trigger, node, state: 'running', message: '', log: '', started_at: now, ended_at: null,
    }).returning('id').executeTakeFirstOrThrow();
    const lease = { node, run_id: run.id, expires_at: now + leaseMs, stop_requested: 0 };
    await tx.insertInto('task_leases').values({ task_id: taskId, ...lease })
      .onConflict((oc) => oc.column('task_id').doUpdateSet(lease)).execute();
    return { taskId, runId: run.id };
  });
}

/** Extends the lease; returns 'lost' when another node took it, 'stop' when a stop was requested, else 'ok'. */
export async function renew(db: Db, lease: Lease, node: string, leaseMs: number, log?: string): Promise<'ok' | 'stop' | 'lost'> {
  const row = await db.updateTable('task_leases').set({ expires_at: Date.now() + leaseMs })
    .where('task_id', '=', lease.taskId).where('node', '=', node).where('run_id', '=', lease.runId)
    .returning('stop_requested').executeTakeFirst();
  if (log !== undefined) await db.updateTable('task_runs').set({ log }).where('id', '=', lease.runId).execute();
  if (!row) return 'lost';
  return row.stop_requested ? 'stop' : 'ok';
}

/** Closes the run and gives the lease back (only if still ours). */
export async function release(db: Db, lease: Lease, node: string, outcome: { state: string; message: string; log: string }): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('task_runs').set({ ...outcome, ended_at: Date.now() }).where('id', '=', lease.runId).execute();
    await tx.deleteFrom('task_leases').where('task_id', '=', lease.taskId).where('node', '=', node).where('run_id', '=', lease.runId).execute();
  });
}

/** Asks the holder of a live lease to stop; false when the task is not running. */
export async function requestStop(db: Db, taskId: string): Promise<boolean> {
  const r = await db.updateTable('task_leases').set({ stop_requested: 1 })
    .where('task_id', '=', taskId).where('expires_at', '>', Date.now()).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The live lease of a task, if any. */
export async function current(db: Db, taskId: string): Promise<{ node: string; runId: number } | undefined> {
  const row = await db.selectFrom('task_leases').selectAll().where('task_id', '=', taskId).where('expires_at', '>', Date.now()).executeTakeFirst();
  return row && { node: row.node, runId: row.run_id };
}
