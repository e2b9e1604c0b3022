// Local users: the built-in admin and the credential check behind Basic authentication.
import { createHash } from 'node:crypto';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../storage/database.js';
import { hashPassword, randomPassword, verifyPassword } from './passwords.js';

import type { Principal } from './access.js';

export type User = Principal;

/** A local user as wharf.yaml and the REST API describe it (Nexus's field names). */
export interface LocalUser {
  userId: string;
  firstName?: string;
  lastName?: string;
  emailAddress?: string;
  password: string;
  status?: 'active' | 'disabled';
  roles: string[];
}

const CACHE_MS = 60_000;

export class Users {
  /** sha256(user \0 password) -> user, so that a client sending Basic on every request pays scrypt once a minute. */
  private readonly verified = new Map<string, { user: User; until: number }>();

  constructor(private readonly db: Db) {}

  /** Creates `admin` on a new database with the given or a random password (written to admin.password). */
  async ensureAdmin(dataDir: string, password: string | undefined): Promise<void> {
    const existing = await this.db.selectFrom('users').select('user_id').where('user_id', '=', 'admin').executeTakeFirst();
    if (existing) return;
    const secret = password ?? randomPassword();
    await this.db.insertInto('users').values({
      user_id: 'admin', first_name: 'Administrator', last_name: 'User', email: 'admin@example.org',
      password_hash: await hashPassword(secret), status: 'active', roles: JSON.stringify(['nx-admin']), created_at: Date.now(),
    }).execute();
    if (!password) {
      await mkdir(dataDir, { recursive: true });
      await writeFile(join(dataDir, 'admin.password'), secret + '\n', { mode: 0o600 });
    }
  }

  /** Creates or updates a local user; the password is rehashed only when it changed. Returns whether anything changed. */
  async put(user: LocalUser): Promise<boolean> {
    const row = await this.db.selectFrom('users').selectAll().where('user_id', '=', user.userId).executeTakeFirst();
    const fields = {
      first_name: user.firstName ?? user.userId, last_name: user.lastName ?? '', email: user.emailAddress ?? '',
      status: user.status ?? 'active', roles: JSON.stringify(user.roles),
    };
    const same = row && row.source === 'default' && (Object.keys(fields) as (keyof typeof fields)[]).every((k) => row[k] === fields[k]);
    const samePassword = row && (await verifyPassword(user.password, row.password_hash));
    if (same && samePassword) return false;
    const password_hash = samePassword ? row!.password_hash : await hashPassword(user.password);
    await this.db.insertInto('users').values({ user_id: user.userId, ...fields, password_hash, source: 'default', created_at: Date.now() })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...fields, password_hash, source: 'default' })).execute();
    this.verified.clear();
    return true;
  }

  /** The stored password hash of a local user (for `wharf config export`), or undefined. */
  async passwordHash(userId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('users').select(['password_hash', 'source']).where('user_id', '=', userId).executeTakeFirst();
    return row?.source === 'default' ? row.password_hash : undefined;
  }

  /** Creates or updates a local user with an already hashed password (a configuration export applied elsewhere).
   *  Returns whether anything changed. */
  async putHashed(user: Omit<LocalUser, 'password'>, passwordHash: string): Promise<boolean> {
    const row = await this.db.selectFrom('users').selectAll().where('user_id', '=', user.userId).executeTakeFirst();
    const fields = {
      first_name: user.firstName ?? user.userId, last_name: user.lastName ?? '', email: user.emailAddress ?? '',
      status: user.status ?? 'active', roles: JSON.stringify(user.roles), password_hash: passwordHash,
    };
    if (row && row.source === 'default' && (Object.keys(fields) as (keyof typeof fields)[]).every((k) => row[k] === fields[k])) return false;
    await this.db.insertInto('users').values({ user_id: user.userId, ...fields, source: 'default', created_at: Date.now() })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...fields, source: 'default' })).execute();
    this.verified.clear();
    return true;
  }

  /** Sets a user's password; returns false when there is no such user. */
  async setPassword(userId: string, password: string): Promise<boolean> {
    const result = await this.db.updateTable('users').set({ password_hash: await hashPassword(password) })
      .where('user_id', '=', userId).executeTakeFirst();
    this.verified.clear();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The active user with this id (any realm), or undefined. */
  async get(userId: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('user_id', '=', userId).executeTakeFirst();
    if (!row || row.status !== 'active') return undefined;
    return { userId: row.user_id, roles: JSON.parse(row.roles) as string[], realm: row.source === 'default' ? 'local' : row.source };
  }

  /** The active user these credentials belong to, or undefined. */
  async authenticate(userId: string, password: string): Promise<User | undefined> {
    const key = createHash('sha256').update(userId).update('\0').update(password).digest('base64');
    const hit = this.verified.get(key);
    if (hit && hit.until > Date.now()) return hit.user;
    const row = await this.db.selectFrom('users').selectAll().where('user_id', '=', userId).executeTakeFirst();
    if (!row || row.status !== 'active' || row.source !== 'default' || !(await verifyPassword(password, row.password_hash))) return undefined;
    const user: User = { userId: row.user_id, roles: JSON.parse(row.roles) as string[], realm: 'local' };
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(key, { user, until: Date.now() + CACHE_MS });
    return user;
  }

  /** Every user (any status and realm), by id; optionally only ids starting with `userId` and of one `source`. */
  async list(filter: { userId?: string; source?: string } = {}): Promise<UserRecord[]> {
    let q = this.db.selectFrom('users').selectAll().orderBy('user_id');
    if (filter.source) q = q.where('source', '=', filter.source);
    const rows = await q.execute();
    // Prefix match in JS: LIKE would need escaping and behaves differently per database.
    return rows.filter((r) => !filter.userId || r.user_id.startsWith(filter.userId)).map(toRecord);
  }

  /** The user with this id whatever its status, or undefined. */
  async find(userId: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Changes a user's details, status and roles, never its password; returns false when there is no such user. */
  async update(user: Omit<LocalUser, 'password'>): Promise<boolean> {
    const result = await this.db.updateTable('users').set({
      first_name: user.firstName ?? user.userId, last_name: user.lastName ?? '', email: user.emailAddress ?? '',
      status: user.status ?? 'active', roles: JSON.stringify(user.roles),
    }).where('user_id', '=', user.userId).executeTakeFirst();
    this.verified.clear(); // a cached login must not outlive a status or role change
    return Number(result.numUpdatedRows) > 0;
  }

  /** Deletes a user; returns false when there was none. Safe to call twice. */
  async delete(userId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('users').where('user_id', '=', userId).executeTakeFirst();
    this.verified.clear();
    return Number(result.numDeletedRows) > 0;
  }
}

/** A user as the REST API lists it (no password). `source` is the realm: default (local) or ldap. */
export interface UserRecord {
  userId: string;
  firstName: string;
  lastName: string;
  emailAddress: string;
  source: string;
  status: string;
  roles: string[];
}

function toRecord(row: { user_id: string; first_name: string; last_name: string; email: string; source: string; status: string; roles: string }): UserRecord {
  return {
    userId: row.user_id, firstName: row.first_name, lastName: row.last_name, emailAddress: row.email,
    source: row.source, status: row.status, roles: JSON.parse(row.roles) as string[],
  };
}
