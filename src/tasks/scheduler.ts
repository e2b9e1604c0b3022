// Runs tasks: a croner job per scheduled task, manual runs, stop. Whatever node runs a task holds its lease
// (lease.ts), so one run at a time per task, across every node sharing the database. Runs and their logs
// are written to task_runs: the log while the run goes on (at each renewal), the outcome at the end.
import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import { ConflictError } from '../repository/errors.js';
import type { Wharf } from '../wharf.js';
import { acquire, current, release, renew, requestStop, type Lease } from './lease.js';
import { cronOf } from './schedule.js';
import type { TaskDefinition, TaskStore } from './store.js';
import { taskTypes } from './types/index.js';

const MAX_LOG_LINES = 2000;
/** Renewal also carries stop requests from other nodes and the log so far: at least this often. */
const RENEW_MAX_MS = 2_000;

export interface SchedulerOptions {
  /** How long a lease lives without renewal; renewed every third of it. */
  leaseMs?: number;
  /** This node's name in leases and runs. */
  node?: string;
}

export class Scheduler {
  readonly node: string;
  private readonly leaseMs: number;
  private readonly jobs = new Map<string, { job: Cron; pattern: string }>();
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private started = false;

  constructor(private readonly wharf: () => Wharf, private readonly store: TaskStore, private readonly log: Logger, options: SchedulerOptions = {}) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.node = options.node ?? randomUUID();
  }

  /** Starts firing scheduled tasks (servers only; CLI commands never start it). Safe to call twice. */
  async start(): Promise<void> {
    this.started = true;
    await this.sync();
  }

  /** Re-reads task definitions and (re)creates their cron jobs. Call after any create/update/delete. */
  async sync(): Promise<void> {
    if (!this.started) return;
    const tasks = await this.store.list();
    const wanted = new Map(tasks.filter((t) => t.enabled).map((t) => [t.id, cronOf(t.schedule)] as const));
    for (const [id, { job, pattern }] of this.jobs) {
      if (wanted.get(id) !== pattern) {
        job.stop();
        this.jobs.delete(id);
      }
    }
    for (const [id, pattern] of wanted) {
      if (!pattern || this.jobs.has(id)) continue;
      const job: Cron = new Cron(pattern, { protect: true }, () => {
        const slot = Math.floor((job.currentRun()?.getTime() ?? Date.now()) / 1000) * 1000;
        void this.trigger(id, 'schedule', slot).catch((e: unknown) => this.log.warn({ err: e, task: id }, 'scheduled task did not start'));
      });
      this.jobs.set(id, { job, pattern });
    }
  }

  /** When a task fires next, or undefined (manual, disabled, or scheduler not started). */
  nextRun(id: string): Date | undefined {
    return this.jobs.get(id)?.job.nextRun() ?? undefined;
  }

  /** Whether a task runs now, on any node. */
  async isRunning(id: string): Promise<boolean> {
    return Boolean(await current(this.wharf().db, id));
  }

  /** Starts a run now in the background; resolves with its run id once the lease is held. Throws ConflictError
   *  when the task already runs (here or on another node). */
  async runNow(id: string): Promise<number> {
    const started = await this.trigger(id, 'manual');
    if (started === undefined) throw new ConflictError('the task is already running');
    return started;
  }

  /** Asks a running task to stop (on whichever node runs it). Throws ConflictError when it is not running. */
  async stop(id: string): Promise<void> {
    this.running.get(id)?.abort.abort();
    if (!(await requestStop(this.wharf().db, id)) && !this.running.has(id)) throw new ConflictError('the task is not running');
  }

  /** Resolves when the local run of a task (if any) has finished. */
  async settled(id: string): Promise<void> {
    await this.running.get(id)?.done;
  }

  /** Stops the cron jobs and aborts local runs, waiting for them to record their outcome. */
  async close(): Promise<void> {
    this.started = false;
    for (const { job } of this.jobs.values()) job.stop();
    this.jobs.clear();
    for (const r of this.running.values()) r.abort.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  private async trigger(id: string, trigger: string, slot?: number): Promise<number | undefined> {
    const task = await this.store.get(id);
    const lease = await acquire(this.wharf().db, id, this.node, trigger, this.leaseMs, slot);
    if (typeof lease === 'string') {
      if (lease === 'busy') this.log.info({ task: task.name }, 'task still running: this firing is skipped');
      return undefined;
    }
    const abort = new AbortController();
    const done = this.execute(task, lease, abort).finally(() => this.running.delete(id));
    this.running.set(id, { abort, done });
    return lease.runId;
  }

  private async execute(task: TaskDefinition, lease: Lease, abort: AbortController): Promise<void> {
    const { db } = this.wharf();
    const lines: string[] = [];
    const log = (line: string) => {
      lines.push(`${new Date().toISOString()} ${line}`);
      if (lines.length > MAX_LOG_LINES) lines.splice(0, lines.length - MAX_LOG_LINES);
    };
    let renewing: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      renewing = renew(db, lease, this.node, this.leaseMs, lines.join('\n')).then((state) => {
        if (state === 'lost') log('lease lost to another node: stopping');
        if (state !== 'ok') abort.abort();
      }, () => {});
    }, Math.max(50, Math.min(RENEW_MAX_MS, Math.floor(this.leaseMs / 3))));
    const started = Date.now();
    let outcome: { state: string; message: string };
    try {
      const type = taskTypes[task.type];
      if (!type) throw new Error(`unknown task type ${task.type}`);
      log(`started ${task.type} on node ${this.node}`);
      const message = await type.run({ wharf: this.wharf(), properties: task.properties, log, signal: abort.signal });
      outcome = abort.signal.aborted ? { state: 'stopped', message: `stopped: ${message}` } : { state: 'ok', message };
    } catch (e) {
      outcome = { state: abort.signal.aborted ? 'stopped' : 'failed', message: (e as Error).message };
      this.log.warn({ err: e, task: task.name }, 'task failed');
    } finally {
      clearInterval(timer);
      await renewing; // its log write must not land after the final one
    }
    log(`${outcome.state} after ${Date.now() - started} ms: ${outcome.message}`);
    await release(db, lease, this.node, { ...outcome, log: lines.join('\n') })
      .catch((e: unknown) => this.log.error({ err: e, task: task.name }, 'could not record the task outcome'));
    this.log.info({ task: task.name, type: task.type, ...outcome, ms: Date.now() - started }, 'task finished');
  }
}
