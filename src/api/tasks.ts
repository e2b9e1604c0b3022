// REST v1 tasks, Nexus-compatible: list, read, run, stop (Nexus's shapes), plus Wharf's create, update,
// delete and run history with logs. Privileges: nx-tasks-read/create/update/delete/start/stop.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { InvalidError } from '../repository/errors.js';
import { scheduleFields, scheduleFrom } from '../tasks/schedule.js';
import type { TaskDefinition, TaskRun } from '../tasks/store.js';
import { taskTypes } from '../tasks/types/index.js';
import type { Wharf } from '../wharf.js';
import { NoContent, StringEnum, errorResponses, isoDate } from './schemas.js';

const TAGS = ['tasks'];

const TaskXO = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String({ description: 'Task type, e.g. repository.docker.gc' }),
  message: Type.Union([Type.String(), Type.Null()], { description: 'The last run\'s result message' }),
  currentState: StringEnum(['WAITING', 'RUNNING'] as const),
  lastRunResult: Type.Union([StringEnum(['OK', 'FAILED', 'CANCELED'] as const), Type.Null()]),
  nextRun: Type.Union([Type.String(), Type.Null()]),
  lastRun: Type.Union([Type.String(), Type.Null()]),
  frequency: Type.String({ description: 'manual, cron, hourly, daily, weekly or monthly' }),
  cron: Type.Optional(Type.String()),
  startTime: Type.Optional(Type.String()),
  enabled: Type.Boolean(),
  properties: Type.Record(Type.String(), Type.Unknown()),
  lastRunDurationMs: Type.Union([Type.Integer(), Type.Null()]),
}, {
  description: 'A scheduled task',
  examples: [{
    id: '0a4d8c8e-5a2c-4d6f-9a0e-1b2c3d4e5f60', name: 'Docker GC (nightly)', type: 'repository.docker.gc', message: 'removed 3 manifests, 9 blobs; marked 9 blob(s) (41.2 MiB)',
    currentState: 'WAITING', lastRunResult: 'OK', nextRun: '2026-01-02T01:30:00.000Z', lastRun: '2026-01-01T01:30:00.012Z',
    frequency: 'cron', cron: '30 1 * * *', enabled: true, properties: { graceMinutes: 60 }, lastRunDurationMs: 1830,
  }],
});

const TaskBody = Type.Object({
  name: Type.String({ minLength: 1 }),
  type: Type.String({ description: `One of ${Object.keys(taskTypes).join(', ')}` }),
  cron: Type.Optional(Type.String({ description: 'Cron expression (5 or 6 fields); wins over frequency' })),
  frequency: Type.Optional(StringEnum(['manual', 'hourly', 'daily', 'weekly', 'monthly'] as const)),
  startTime: Type.Optional(Type.String({ description: 'HH:MM for hourly (minute used), daily, weekly (Sunday), monthly (1st)' })),
  enabled: Type.Optional(Type.Boolean({ default: true })),
  properties: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Type-specific: repositoryName, blobStoreName, graceMinutes, age, location' })),
}, {
  additionalProperties: false,
  examples: [{ name: 'compact-default', type: 'blobstore.compact', cron: '30 2 * * 0', properties: { blobStoreName: 'default' } }],
});

const RunXO = Type.Object({
  id: Type.Integer(),
  trigger: Type.String({ description: 'schedule or manual' }),
  node: Type.String(),
  state: StringEnum(['running', 'ok', 'failed', 'stopped'] as const),
  message: Type.String(),
  startedAt: Type.String(),
  endedAt: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  log: Type.Array(Type.String()),
}, { description: 'One run of a task' });

const IdParams = Type.Object({ id: Type.String() });
const ListQuery = Type.Object({ type: Type.Optional(Type.String({ description: 'Only tasks of this type' })) });

const RESULT: Record<string, 'OK' | 'FAILED' | 'CANCELED'> = { ok: 'OK', failed: 'FAILED', stopped: 'CANCELED' };

function runXO(r: TaskRun): Static<typeof RunXO> {
  return {
    id: r.id, trigger: r.trigger, node: r.node, state: r.state, message: r.message, startedAt: isoDate(r.startedAt)!,
    endedAt: isoDate(r.endedAt), durationMs: r.endedAt === null ? null : r.endedAt - r.startedAt, log: r.log ? r.log.split('\n') : [],
  };
}

async function taskXO(wharf: Wharf, task: TaskDefinition): Promise<Static<typeof TaskXO>> {
  const { scheduler, tasks } = wharf.lifecycle;
  const runs = await tasks.runs(task.id, 2);
  const running = await scheduler.isRunning(task.id);
  const last = runs.find((r) => r.state !== 'running');
  const next = scheduler.nextRun(task.id);
  return {
    id: task.id, name: task.name, type: task.type, message: last?.message ?? null,
    currentState: running ? 'RUNNING' : 'WAITING', lastRunResult: last ? RESULT[last.state] : null,
    nextRun: next ? next.toISOString() : null, lastRun: runs[0] ? isoDate(runs[0].startedAt) : null,
    ...scheduleFields(task.schedule), enabled: task.enabled, properties: task.properties,
    lastRunDurationMs: last?.endedAt ? last.endedAt - last.startedAt : null,
  };
}

function definition(body: Static<typeof TaskBody>) {
  if (body.cron && body.frequency && body.frequency !== 'manual') throw new InvalidError('INVALID', 'give cron or frequency, not both');
  return {
    name: body.name, type: body.type, schedule: scheduleFrom(body), properties: body.properties ?? {},
    enabled: body.enabled ?? true, source: 'api' as const,
  };
}

export function registerTaskRoutes(app: FastifyInstance, wharf: Wharf): void {
  const { tasks, scheduler } = wharf.lifecycle;

  app.get<{ Querystring: Static<typeof ListQuery> }>('/tasks', {
    schema: {
      tags: TAGS, summary: 'List tasks', description: 'Every task with its schedule, state and last result (Nexus TaskXO). Filter by type. Needs nx-tasks-read.', querystring: ListQuery,
      response: { 200: Type.Object({ items: Type.Array(TaskXO), continuationToken: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(401, 403) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'tasks', 'read');
    const all = (await tasks.list()).filter((t) => !request.query.type || t.type === request.query.type);
    return { items: await Promise.all(all.map((t) => taskXO(wharf, t))), continuationToken: null };
  });

  app.post<{ Body: Static<typeof TaskBody> }>('/tasks', {
    schema: { tags: TAGS, summary: 'Create a task', description: 'Creates a task with a cron expression or a frequency; the scheduler picks it up at once. 409 when the name is taken. Needs nx-tasks-create.', body: TaskBody, response: { 201: TaskXO, ...errorResponses(400, 401, 403, 409) } },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'tasks', 'create');
    const task = await tasks.create(definition(request.body));
    await scheduler.sync();
    return reply.code(201).send(await taskXO(wharf, task));
  });

  app.get<{ Params: Static<typeof IdParams> }>('/tasks/:id', {
    schema: { tags: TAGS, summary: 'Read a task', description: 'One task by id, with its schedule, state and last result. Needs nx-tasks-read.', params: IdParams, response: { 200: TaskXO, ...errorResponses(401, 403, 404) } },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'tasks', 'read');
    return taskXO(wharf, await tasks.get(request.params.id));
  });

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof TaskBody> }>('/tasks/:id', {
    schema: { tags: TAGS, summary: 'Update a task', description: 'Replaces the task\'s definition (name, schedule, properties, enabled); the scheduler follows at once. Needs nx-tasks-update.', params: IdParams, body: TaskBody, response: { 204: NoContent, ...errorResponses(400, 401, 403, 404, 409) } },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'tasks', 'update');
    await tasks.update(request.params.id, definition(request.body));
    await scheduler.sync();
    return reply.code(204).send();
  });

  app.delete<{ Params: Static<typeof IdParams> }>('/tasks/:id', {
    schema: { tags: TAGS, summary: 'Delete a task', description: 'Deletes the task and its schedule; 409 while it runs. Needs nx-tasks-delete.', params: IdParams, response: { 204: NoContent, ...errorResponses(401, 403, 404, 409) } },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'tasks', 'delete');
    await tasks.delete(request.params.id);
    await scheduler.sync();
    return reply.code(204).send();
  });

  app.post<{ Params: Static<typeof IdParams> }>('/tasks/:id/run', {
    schema: { tags: TAGS, summary: 'Run a task now', description: 'Starts a run in the background; 409 while it runs.', params: IdParams, response: { 204: NoContent, ...errorResponses(401, 403, 404, 409) } },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'tasks', 'start');
    await tasks.get(request.params.id);
    await scheduler.runNow(request.params.id);
    return reply.code(204).send();
  });

  app.post<{ Params: Static<typeof IdParams> }>('/tasks/:id/stop', {
    schema: { tags: TAGS, summary: 'Stop a running task', description: 'Asks the running run to stop (on whichever node holds it); 409 when it is not running. Needs nx-tasks-stop.', params: IdParams, response: { 204: NoContent, ...errorResponses(401, 403, 404, 409) } },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'tasks', 'stop');
    await tasks.get(request.params.id);
    await scheduler.stop(request.params.id);
    return reply.code(204).send();
  });

  app.get<{ Params: Static<typeof IdParams> }>('/tasks/:id/history', {
    schema: { tags: TAGS, summary: 'Runs of a task, newest first, with their logs', description: 'The recorded runs of the task: trigger, node, state, message, timings and log lines. Needs nx-tasks-read.', params: IdParams, response: { 200: Type.Object({ items: Type.Array(RunXO) }), ...errorResponses(401, 403, 404) } },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'tasks', 'read');
    await tasks.get(request.params.id);
    return { items: (await tasks.runs(request.params.id)).map(runXO) };
  });
}
