// Tasks in the database: definitions (tasks), runs with their logs (task_runs). Checks properties and
// schedules with the task types; throws InvalidError with the failing fields.
import { randomUUID } from 'node:crypto';
import { ConflictError, InvalidError, NotFoundError } from '../repository/errors.js';
import type { Problem } from '../repository/format.js';
import type { Db } from '../storage/database.js';
import type { Wharf } from '../wharf.js';
import { scheduleProblem, type Schedule } from './schedule.js';
import { taskTypes } from './types/index.js';

export interface TaskDefinition {
  id: string;
  name: string;
  type: string;
  schedule: Schedule;
  properties: Record<string, unknown>;
  enabled: boolean;
  source: 'api' | 'config' | 'default';
}

export type NewTask = Omit<TaskDefinition, 'id'>;

export interface TaskRun {
  id: number;
  taskId: string;
  trigger: string;
  node: string;
  state: 'running' | 'ok' | 'failed' | 'stopped';
  message: string;
  log: string;
  startedAt: number;
  endedAt: number | null;
}

export const TASK_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,199}$/;

/** Problems of a task definition (keys: name, type, schedule, properties.<key>). */
export function checkTask(task: NewTask, wharf: Wharf): Problem[] {
  const problems: Problem[] = [];
  if (!TASK_NAME.test(task.name)) problems.push({ key: 'name', reason: 'letters, digits, space . _ ( ) -, at most 200' });
  const type = taskTypes[task.type];
  if (!type) problems.push({ key: 'type', reason: `unknown task type ${task.type} (known: ${Object.keys(taskTypes).join(', ')})` });
  const bad = scheduleProblem(task.schedule);
  if (bad) problems.push({ key: task.schedule.type === 'cron' ? 'cron' : 'frequency', reason: bad });
  if (type) for (const p of type.check(task.properties, wharf)) problems.push({ key: `properties.${p.key}`, reason: p.reason });
  return problems;
}

function invalid(problems: Problem[]): InvalidError {
  return new InvalidError('INVALID', problems.map((p) => `${p.key}: ${p.reason}`).join('; '), problems.map((p) => ({ field: p.key, message: p.reason })));
}

type Row = { id: string; name: string; type: string; schedule: string; properties: string; enabled: number; source: string };

function fromRow(r: Row): TaskDefinition {
  return {
    id: r.id, name: r.name, type: r.type, schedule: JSON.parse(r.schedule), properties: JSON.parse(r.properties),
    enabled: Boolean(r.enabled), source: r.source as TaskDefinition['source'],
  };
}

export class TaskStore {
  constructor(private readonly db: Db, private readonly wharf: () => Wharf) {}

  async list(): Promise<TaskDefinition[]> {
    return (await this.db.selectFrom('tasks').selectAll().orderBy('name').execute()).map(fromRow);
  }

  /** Throws NotFoundError. */
  async get(id: string): Promise<TaskDefinition> {
    const row = await this.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('asset', `no task with id ${id}`);
    return fromRow(row);
  }

  async byName(name: string): Promise<TaskDefinition | undefined> {
    const row = await this.db.selectFrom('tasks').selectAll().where('name', '=', name).executeTakeFirst();
    return row && fromRow(row);
  }

  /** Creates a task; throws InvalidError or ConflictError (name taken). */
  async create(task: NewTask): Promise<TaskDefinition> {
    const problems = checkTask(task, this.wharf());
    if (problems.length) throw invalid(problems);
    if (await this.byName(task.name)) throw new ConflictError(`a task named ${task.name} exists`);
    const now = Date.now();
    const id = randomUUID();
    await this.db.insertInto('tasks').values({
      id, name: task.name, type: task.type, schedule: JSON.stringify(task.schedule), properties: JSON.stringify(task.properties),
      enabled: task.enabled ? 1 : 0, source: task.source, last_slot: null, created_at: now, updated_at: now,
    }).execute();
    return { id, ...task };
  }

  /** Replaces a task's definition (its type stays); returns whether it changed. Throws NotFound/Invalid/Conflict. */
  async update(id: string, task: NewTask): Promise<boolean> {
    const old = await this.get(id);
    if (task.type !== old.type) throw invalid([{ key: 'type', reason: `a task's type cannot change (it is ${old.type})` }]);
    const problems = checkTask(task, this.wharf());
    if (problems.length) throw invalid(problems);
    const other = await this.byName(task.name);
    if (other && other.id !== id) throw new ConflictError(`a task named ${task.name} exists`);
    const values = {
      name: task.name, schedule: JSON.stringify(task.schedule), properties: JSON.stringify(task.properties),
      enabled: task.enabled ? 1 : 0, source: task.source,
    };
    if (JSON.stringify({ ...old, id: undefined }) === JSON.stringify({ ...task, id: undefined, type: old.type })) return false;
    await this.db.updateTable('tasks').set({ ...values, updated_at: Date.now() }).where('id', '=', id).execute();
    return true;
  }

  /** Deletes a task and its history; throws NotFoundError, or ConflictError while it runs. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    const lease = await this.db.selectFrom('task_leases').select('expires_at').where('task_id', '=', id).executeTakeFirst();
    if (lease && Number(lease.expires_at) > Date.now()) throw new ConflictError('the task is running: stop it first');
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('task_runs').where('task_id', '=', id).execute();
      await tx.deleteFrom('task_leases').where('task_id', '=', id).execute();
      await tx.deleteFrom('tasks').where('id', '=', id).execute();
    });
  }

  /** Runs of a task, newest first. */
  async runs(id: string, limit = 50): Promise<TaskRun[]> {
    const rows = await this.db.selectFrom('task_runs').selectAll().where('task_id', '=', id).orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id, taskId: r.task_id, trigger: r.trigger, node: r.node, state: r.state as TaskRun['state'], message: r.message,
      log: r.log, startedAt: Number(r.started_at), endedAt: r.ended_at === null ? null : Number(r.ended_at),
    }));
  }
}
