// Delivers webhook events: subscribed to the audit trail, it matches each event against the webhooks (kind,
// and repository for scoped ones) and POSTs the JSON payload to each match, off the request path. Deliveries
// wait in a bounded queue (past it they are dropped and counted, never blocking the change that caused them),
// a few at a time; a failure or non-2xx answer is retried with exponential back-off for a bounded number of
// attempts, and each delivery's outcome is kept in the delivery log (store.ts).
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Repositories } from '../repository/repositories.js';
import type { Audit, AuditRecord } from '../security/audit.js';
import type { Db } from '../storage/database.js';
import { encodeId } from '../api/content-view.js';
import { webhookEvents, type WebhookEvent } from './events.js';
import { NEXUS_EVENT_ID, type Webhook } from './model.js';
import { signatureHeaders } from './signature.js';
import type { WebhookStore } from './store.js';

export interface DeliveryOptions {
  /** Attempts per delivery, the first included. */
  attempts: number;
  /** Wait before the second attempt; doubles for each further one (4 s: 4 + 8 + 16 + 32 s, about a minute). */
  backoffMs: number;
  /** Per attempt, connection to end of response headers. */
  timeoutMs: number;
  /** Deliveries sent at the same time. */
  concurrency: number;
  /** Deliveries accepted and not finished (queued, in flight, waiting to retry); more are dropped. */
  maxPending: number;
}

const DEFAULTS: DeliveryOptions = { attempts: 5, backoffMs: 4_000, timeoutMs: 10_000, concurrency: 4, maxPending: 1_000 };

interface Job {
  hook: Webhook;
  event: WebhookEvent;
  body: Promise<string>;
  deliveryId: string;
  rowId?: number;
  attempt: number;
  done?: boolean;
}

export class WebhookDispatcher {
  private options: DeliveryOptions = { ...DEFAULTS };
  private readonly ready: Job[] = [];
  private readonly waiting = new Map<Job, NodeJS.Timeout>();
  private pending = 0;
  private active = 0;
  private dropped = 0;
  private closed = false;
  private unsubscribe: (() => void) | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: WebhookStore, private readonly db: Db, private readonly repositories: Repositories,
    private readonly log: Logger, private readonly nodeId: string,
  ) {}

  /** Changes delivery options (tests use short back-offs); applies to attempts scheduled from now on. */
  configure(options: Partial<DeliveryOptions>): void {
    this.options = { ...this.options, ...options };
  }

  /** Loads the webhooks and starts listening to `audit` (servers only). Safe to call twice. */
  async start(audit: Audit): Promise<void> {
    await this.store.reload();
    this.unsubscribe ??= audit.subscribe((event) => this.onAuditEvent(event));
  }

  /** Resolves when no delivery is queued, in flight or waiting to retry. */
  idle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops listening; deliveries waiting to retry are logged as failed; waits (bounded) for those in flight. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    const left = [...this.waiting.keys(), ...this.ready.splice(0)];
    for (const [, timer] of this.waiting) clearTimeout(timer);
    this.waiting.clear();
    for (const job of left) await this.finish(job, { state: 'failed', statusCode: null, error: 'the server stopped before the delivery succeeded' });
    const deadline = Date.now() + this.options.timeoutMs;
    while (this.active && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  private onAuditEvent(record: AuditRecord): void {
    if (this.closed) return;
    const hooks = this.store.cached();
    if (!hooks.length) return;
    for (const event of webhookEvents(record, this.nodeId)) {
      const matching = hooks.filter((h) => h.events.includes(event.kind) && (h.repository === null || h.repository === event.repository));
      if (!matching.length) continue;
      const body = this.body(event);
      body.catch(() => {}); // each job awaits it and reports its own failure
      for (const hook of matching) this.enqueue({ hook, event, body, deliveryId: randomUUID(), attempt: 0 });
    }
  }

  private enqueue(job: Job): void {
    if (this.pending >= this.options.maxPending) {
      if (this.dropped++ % 100 === 0) this.log.error({ webhook: job.hook.name, dropped: this.dropped }, 'webhook deliveries dropped: the delivery queue is full');
      return;
    }
    this.pending++;
    this.ready.push(job);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.ready.length) {
      const job = this.ready.shift()!;
      this.active++;
      void this.attempt(job).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  private async attempt(job: Job): Promise<void> {
    try {
      job.rowId ??= await this.store.startDelivery(job.hook.id, job.deliveryId, NEXUS_EVENT_ID[job.event.kind], job.event.action);
      job.attempt++;
      const { statusCode, error } = await this.send(job);
      if (statusCode !== null && statusCode >= 200 && statusCode < 300) return await this.finish(job, { state: 'delivered', statusCode, error: null });
      const outcome = { statusCode, error: error ?? `the receiver answered ${statusCode}` };
      if (job.attempt >= this.options.attempts || this.closed) return await this.finish(job, { state: 'failed', ...outcome });
      await this.store.updateDelivery(job.rowId, { state: 'pending', attempts: job.attempt, ...outcome });
      const timer = setTimeout(() => {
        this.waiting.delete(job);
        this.ready.push(job);
        this.pump();
      }, this.options.backoffMs * 2 ** (job.attempt - 1));
      timer.unref();
      this.waiting.set(job, timer);
    } catch (err) {
      this.log.error({ err, webhook: job.hook.name }, 'webhook delivery could not be recorded');
      await this.finish(job, { state: 'failed', statusCode: null, error: (err as Error).message }).catch(() => {});
    }
  }

  /** One POST; never throws: a network failure or timeout comes back as `error`. */
  private async send(job: Job): Promise<{ statusCode: number | null; error?: string }> {
    const body = await job.body;
    try {
      const res = await fetch(job.hook.url, {
        method: 'POST', body, redirect: 'manual', signal: AbortSignal.timeout(this.options.timeoutMs),
        headers: {
          'content-type': 'application/json; charset=UTF-8', 'user-agent': 'Wharf',
          'x-nexus-webhook-id': NEXUS_EVENT_ID[job.event.kind], 'x-nexus-webhook-delivery': job.deliveryId,
          'x-wharf-webhook-attempt': String(job.attempt), ...signatureHeaders(body, job.hook.secret),
        },
      });
      await res.body?.cancel(); // the answer's body is of no use
      return { statusCode: res.status };
    } catch (err) {
      const cause = (err as { cause?: Error }).cause;
      return { statusCode: null, error: cause?.message ?? (err as Error).message };
    }
  }

  private async finish(job: Job, outcome: { state: 'delivered' | 'failed'; statusCode: number | null; error: string | null }): Promise<void> {
    if (job.done) return;
    job.done = true;
    try {
      if (job.rowId !== undefined) {
        await this.store.updateDelivery(job.rowId, { ...outcome, attempts: job.attempt });
        await this.store.trimDeliveries(job.hook.id);
      }
      if (outcome.state === 'failed') this.log.warn({ webhook: job.hook.name, delivery: job.deliveryId, attempts: job.attempt, error: outcome.error }, 'webhook delivery failed');
    } finally {
      if (--this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  /** The JSON body of an event, with the format and the ids of the component or asset (null once deleted). */
  private async body(event: WebhookEvent): Promise<string> {
    const payload = { ...event.payload };
    const repo = event.repository ? this.repositories.get(event.repository) : undefined;
    const format = repo?.format ?? null;
    const subject = event.subject;
    const live = event.action !== 'DELETED' && event.repository;
    if (event.kind === 'component' && subject?.component) {
      const c = subject.component;
      const row = live ? await this.db.selectFrom('components').select('id').where('repository', '=', event.repository!)
        .where('name', '=', c.name).where('version', '=', c.version).executeTakeFirst() : undefined;
      const id = row ? encodeId(event.repository!, row.id) : null;
      payload.component = { id, componentId: id, format, name: c.name, group: c.group, version: c.version };
    }
    if (event.kind === 'asset' && subject) {
      const row = live ? await this.db.selectFrom('assets').select('id').where('repository', '=', event.repository!)
        .where('path', '=', subject.asset.path).executeTakeFirst() : undefined;
      const id = row ? encodeId(event.repository!, row.id) : null;
      payload.asset = { id, assetId: id, format, name: subject.asset.path };
    }
    return JSON.stringify(payload);
  }
}
