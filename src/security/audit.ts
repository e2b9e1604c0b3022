// The audit trail: who did what to which object, when, from where, and whether it worked. record() only
// queues: a batch is written soon after to the database (audit_events, for the REST query) and appended as
// JSON lines to $WHARF_DATA/log/audit.log (for forwarding), so recording never waits on disk and never fails
// the action it describes. Callers pass no secrets; attribute keys that look like secrets are redacted anyway.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../storage/database.js';
import type { AuditEventTable } from '../storage/schema.js';
import type { Principal } from './access.js';

export type AuditOutcome = 'success' | 'failure';

/** What a caller records. Domains: security.login, security.user, security.role, security.token, settings,
 *  repository, blobstore, repository.content. Types: create, update, delete, push, login-failed, login-blocked ... */
export interface AuditEvent {
  domain: string;
  type: string;
  /** Who: the principal, the user name a failed login tried; 'anonymous' when absent; 'system' for start-up. */
  userId?: string;
  repository?: string;
  /** Which object: a user or role id, a repository name, image:tag, image@digest. */
  object?: string;
  outcome?: AuditOutcome;
  remoteAddress?: string;
  attributes?: Record<string, unknown>;
}

/** A stored event, as the REST API and audit.log show it. */
export interface AuditRecord {
  id: number;
  timestamp: string;
  userId: string;
  domain: string;
  type: string;
  repository: string | null;
  object: string;
  outcome: AuditOutcome;
  remoteAddress: string | null;
  attributes: Record<string, unknown>;
}

export interface AuditFilter {
  userId?: string;
  /** This domain and its sub-domains ('security' matches security.user). */
  domain?: string;
  type?: string;
  repository?: string;
  /** Substring of the object (case-insensitive for ASCII). */
  object?: string;
  outcome?: string;
  /** Milliseconds since the epoch, inclusive. */
  since?: number;
  until?: number;
}

type Row = Omit<AuditEventTable, 'id'>;

const BATCH = 500;
/** Events waiting for the database; past this, new ones are dropped (and counted) rather than eat memory. */
const MAX_QUEUE = 20_000;
/** Bytes the audit.log stream may buffer while the disk is slow before lines are dropped. */
const MAX_FILE_BUFFER = 16 * 1024 * 1024;
const MAX_TEXT = 512;
const SECRET_KEY = /password|passwd|secret|authorization|credential|^token$/i;

/** The who and where of an HTTP request, for spreading into an event. */
export function actor(request: { user?: Principal; ip: string }): { userId: string; remoteAddress: string } {
  return { userId: request.user?.userId ?? 'anonymous', remoteAddress: request.ip };
}

const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s);

/** A copy with secret-looking keys redacted and long strings clipped: the last line of defence. */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return clip(value);
  if (typeof value === 'bigint') return String(value);
  if (!value || typeof value !== 'object') return value;
  if (depth > 4) return '[too deep]';
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => scrub(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : scrub(v, depth + 1)]));
}

function toRecord(id: number, row: Row): AuditRecord {
  return {
    id, timestamp: new Date(Number(row.timestamp)).toISOString(), userId: row.user_id, domain: row.domain, type: row.type,
    repository: row.repository, object: row.object, outcome: row.outcome as AuditOutcome, remoteAddress: row.remote_address,
    attributes: JSON.parse(row.attributes) as Record<string, unknown>,
  };
}

/** LIKE pattern text with its wildcards escaped (used with ESCAPE '\'). */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export class Audit {
  private queue: Row[] = [];
  private scheduled = false;
  private tail: Promise<void> = Promise.resolve();
  private file: WriteStream | undefined;
  private fileBroken = false;
  private lagging = false;
  private closed = false;
  private dropped = 0;
  private readonly listeners: ((event: AuditRecord) => void)[] = [];

  /** `logFile` undefined: database only. */
  constructor(private readonly db: Db, private readonly logFile: string | undefined, private readonly log: Logger) {}

  /** Queues an event; returns at once and never throws. Ignored after close(). */
  record(event: AuditEvent): void {
    if (this.closed) return;
    if (this.queue.length >= MAX_QUEUE) {
      this.dropped++;
      return;
    }
    const row: Row = {
      timestamp: Date.now(), user_id: clip(event.userId || 'anonymous'), domain: event.domain, type: event.type,
      repository: event.repository ?? null, object: clip(event.object ?? ''), outcome: event.outcome ?? 'success',
      remote_address: event.remoteAddress ?? null, attributes: JSON.stringify(scrub(event.attributes ?? {})),
    };
    this.queue.push(row);
    this.notify(row);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  /** Calls `listener` with each event recorded from now on (redacted as stored; id 0), synchronously inside
   *  record(): it must return at once (queue its own work) and its errors are ignored. Webhooks listen here. */
  subscribe(listener: (event: AuditRecord) => void): () => void {
    this.listeners.push(listener);
    return () => void this.listeners.splice(this.listeners.indexOf(listener) >>> 0, 1);
  }

  private notify(row: Row): void {
    if (!this.listeners.length) return;
    const event = toRecord(0, row);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err }, 'audit listener failed');
      }
    }
  }

  /** Resolves once every event recorded so far is in the database and handed to audit.log. Never rejects. */
  flush(): Promise<void> {
    this.tail = this.tail.then(() => this.drain()).catch((err: unknown) => this.log.error({ err }, 'audit flush failed'));
    return this.tail;
  }

  /** Events matching `filter`, newest first, at most `limit`, older than id `before`; `next` is the id to continue before. */
  async query(filter: AuditFilter, limit: number, before?: number): Promise<{ items: AuditRecord[]; next?: number }> {
    let q = this.db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(limit + 1);
    if (before !== undefined) q = q.where('id', '<', before);
    if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
    if (filter.type !== undefined) q = q.where('type', '=', filter.type);
    if (filter.repository !== undefined) q = q.where('repository', '=', filter.repository);
    if (filter.outcome !== undefined) q = q.where('outcome', '=', filter.outcome);
    if (filter.since !== undefined) q = q.where('timestamp', '>=', filter.since);
    if (filter.until !== undefined) q = q.where('timestamp', '<=', filter.until);
    if (filter.domain !== undefined) {
      const domain = filter.domain;
      q = q.where((eb) => eb.or([eb('domain', '=', domain), sql<boolean>`domain like ${`${likeEscape(domain)}.%`} escape '\\'`]));
    }
    // Case-insensitive on both engines (SQLite's LIKE ignores ASCII case, PostgreSQL's does not).
    if (filter.object !== undefined) q = q.where(sql<boolean>`lower(object) like lower(${`%${likeEscape(filter.object)}%`}) escape '\\'`);
    const rows = await q.execute();
    const items = rows.slice(0, limit).map((r) => toRecord(r.id, r));
    return { items, next: rows.length > limit ? items[items.length - 1].id : undefined };
  }

  /** Flushes and closes audit.log. Safe to call twice. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true; // the database closes next: nothing may reopen the file or write after this
    const file = this.file;
    this.file = undefined;
    if (file) await new Promise<void>((resolve) => file.end(resolve));
  }

  private async drain(): Promise<void> {
    if (this.dropped) {
      this.log.error({ dropped: this.dropped }, 'audit events dropped: the audit queue is full');
      this.dropped = 0;
    }
    while (this.queue.length) {
      const batch = this.queue.splice(0, BATCH);
      const ids: number[] = [];
      try {
        // One transaction per batch: one fsync however many events a burst brought.
        await this.db.transaction().execute(async (tx) => {
          for (const row of batch) ids.push((await tx.insertInto('audit_events').values(row).returning('id').executeTakeFirstOrThrow()).id);
        });
      } catch (err) {
        this.log.error({ err, events: batch.length }, 'audit events could not be stored in the database');
        ids.length = 0;
      }
      this.append(batch.map((row, i) => JSON.stringify(toRecord(ids[i] ?? 0, row))).join('\n') + '\n');
    }
  }

  private append(text: string): void {
    if (!this.logFile || this.fileBroken) return;
    if (!this.file) {
      try {
        mkdirSync(dirname(this.logFile), { recursive: true });
      } catch { /* the stream's error event reports it */ }
      this.file = createWriteStream(this.logFile, { flags: 'a', mode: 0o600 });
      this.file.on('error', (err) => {
        this.fileBroken = true; // reported once; the database keeps every event
        this.log.error({ err: err.message, file: this.logFile }, 'cannot write audit.log; audit events are kept in the database only');
      });
    }
    if (this.file.writableLength > MAX_FILE_BUFFER) {
      if (!this.lagging) this.log.error({ file: this.logFile }, 'audit.log is not keeping up; audit lines dropped (the database keeps every event)');
      this.lagging = true;
      return;
    }
    this.lagging = false;
    this.file.write(text);
  }
}
