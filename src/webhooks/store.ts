// Webhooks in the database, and the delivery log. Keeps the list in memory for the dispatcher (which must not
// query the database for every audit event): reloaded after each change made here and every few seconds, so
// changes made by another node or by `wharf config apply` are picked up too.
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '../repository/errors.js';
import type { Db } from '../storage/database.js';
import type { WebhookTable } from '../storage/schema.js';
import type { Webhook, WebhookBody, WebhookEventKind } from './model.js';

/** Deliveries kept per webhook; older ones are removed as new ones finish. */
export const DELIVERY_LOG_SIZE = 100;
const RELOAD_MS = 10_000;

export interface Delivery {
  id: number;
  deliveryId: string;
  event: string;
  action: string | null;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  statusCode: number | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

function fromRow(r: WebhookTable): Webhook {
  return { id: r.id, name: r.name, url: r.url, events: JSON.parse(r.events) as WebhookEventKind[], repository: r.repository, secret: r.secret };
}

export class WebhookStore {
  private cache: Webhook[] = [];
  private loadedAt = 0;
  private reloading: Promise<void> | undefined;

  constructor(private readonly db: Db) {}

  async list(): Promise<Webhook[]> {
    return (await this.db.selectFrom('webhooks').selectAll().orderBy('name').execute()).map(fromRow);
  }

  /** By id, or by name; throws NotFoundError. */
  async get(idOrName: string): Promise<Webhook> {
    const row = await this.db.selectFrom('webhooks').selectAll().where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).executeTakeFirst();
    if (!row) throw new NotFoundError('name', `no webhook ${idOrName}`);
    return fromRow(row);
  }

  async byName(name: string): Promise<Webhook | undefined> {
    const row = await this.db.selectFrom('webhooks').selectAll().where('name', '=', name).executeTakeFirst();
    return row && fromRow(row);
  }

  /** Creates a webhook; throws ConflictError when the name is taken. */
  async create(body: WebhookBody): Promise<Webhook> {
    if (await this.byName(body.name)) throw new ConflictError(`a webhook named ${body.name} exists`);
    const now = Date.now();
    const hook: Webhook = { id: randomUUID(), name: body.name, url: body.url, events: [...body.events], repository: body.repository ?? null, secret: body.secret ?? null };
    await this.db.insertInto('webhooks').values({
      id: hook.id, name: hook.name, url: hook.url, events: JSON.stringify(hook.events), repository: hook.repository, secret: hook.secret,
      created_at: now, updated_at: now,
    }).execute();
    await this.reload();
    return hook;
  }

  /** Replaces a webhook's definition; a body without `secret` keeps the stored one, `secret: null` removes it.
   *  Throws NotFoundError, or ConflictError when renamed onto another webhook's name. Returns the new state. */
  async update(id: string, body: WebhookBody): Promise<Webhook> {
    const old = await this.get(id);
    const other = await this.byName(body.name);
    if (other && other.id !== old.id) throw new ConflictError(`a webhook named ${body.name} exists`);
    const secret = body.secret === undefined ? old.secret : body.secret;
    await this.db.updateTable('webhooks').set({
      name: body.name, url: body.url, events: JSON.stringify(body.events), repository: body.repository ?? null, secret, updated_at: Date.now(),
    }).where('id', '=', old.id).execute();
    await this.reload();
    return { id: old.id, name: body.name, url: body.url, events: [...body.events], repository: body.repository ?? null, secret };
  }

  /** Deletes a webhook and its delivery log; throws NotFoundError. */
  async delete(id: string): Promise<Webhook> {
    const old = await this.get(id);
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('webhook_deliveries').where('webhook_id', '=', old.id).execute();
      await tx.deleteFrom('webhooks').where('id', '=', old.id).execute();
    });
    await this.reload();
    return old;
  }

  /** The webhooks as last loaded, for matching events synchronously; starts a reload when that is old. */
  cached(): Webhook[] {
    if (Date.now() - this.loadedAt > RELOAD_MS) void this.reload().catch(() => {}); // the old list serves meanwhile
    return this.cache;
  }

  /** Reads the list again. Concurrent calls share one read. */
  reload(): Promise<void> {
    this.reloading ??= this.list().then((hooks) => {
      this.cache = hooks;
      this.loadedAt = Date.now();
    }).finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  // ---- the delivery log ----

  async startDelivery(webhookId: string, deliveryId: string, event: string, action: string | null): Promise<number> {
    const now = Date.now();
    const row = await this.db.insertInto('webhook_deliveries').values({
      webhook_id: webhookId, delivery_id: deliveryId, event, action, state: 'pending', attempts: 0, status_code: null, error: null,
      created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async updateDelivery(id: number, update: { state: Delivery['state']; attempts: number; statusCode: number | null; error: string | null }): Promise<void> {
    await this.db.updateTable('webhook_deliveries').set({
      state: update.state, attempts: update.attempts, status_code: update.statusCode, error: update.error, updated_at: Date.now(),
    }).where('id', '=', id).execute();
  }

  /** Drops all but the newest DELIVERY_LOG_SIZE deliveries of a webhook. */
  async trimDeliveries(webhookId: string): Promise<void> {
    const edge = await this.db.selectFrom('webhook_deliveries').select('id').where('webhook_id', '=', webhookId)
      .orderBy('id', 'desc').offset(DELIVERY_LOG_SIZE).limit(1).executeTakeFirst();
    if (edge) await this.db.deleteFrom('webhook_deliveries').where('webhook_id', '=', webhookId).where('id', '<=', edge.id).execute();
  }

  /** Deliveries of a webhook, newest first. */
  async deliveries(webhookId: string, limit = DELIVERY_LOG_SIZE): Promise<Delivery[]> {
    const rows = await this.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id, deliveryId: r.delivery_id, event: r.event, action: r.action, state: r.state as Delivery['state'], attempts: r.attempts,
      statusCode: r.status_code, error: r.error, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
    }));
  }
}
