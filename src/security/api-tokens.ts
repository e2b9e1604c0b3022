// API tokens for CI: `wharf_<id>_<secret>`, usable as a Basic password (with the user's name) and as a
// Bearer token. Only a hash of the secret is stored; a token may be narrowed to some of its user's privileges.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from '../storage/database.js';

export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  privileges: string[];
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

const FORMAT = /^wharf_([0-9a-f-]{36})_([A-Za-z0-9_-]{32,})$/;
const hash = (secret: string) => createHash('sha256').update(secret).digest();

export function looksLikeApiToken(value: string): boolean {
  return FORMAT.test(value);
}

export class ApiTokens {
  constructor(private readonly db: Db) {}

  /** Creates a token; the returned `secret` is the only time the token text exists. */
  async create(userId: string, name: string, privileges: string[] = [], expiresAt: number | null = null): Promise<{ token: ApiToken; secret: string }> {
    const id = randomUUID();
    const raw = randomBytes(32).toString('base64url');
    const createdAt = Date.now();
    await this.db.insertInto('api_tokens').values({
      id, user_id: userId, name, secret_hash: hash(raw).toString('base64'), privileges: JSON.stringify(privileges),
      created_at: createdAt, expires_at: expiresAt, last_used_at: null,
    }).execute();
    return { token: { id, userId, name, privileges, createdAt, expiresAt, lastUsedAt: null }, secret: `wharf_${id}_${raw}` };
  }

  async list(userId?: string): Promise<ApiToken[]> {
    let q = this.db.selectFrom('api_tokens').selectAll().orderBy('created_at');
    if (userId) q = q.where('user_id', '=', userId);
    return (await q.execute()).map((r) => ({
      id: r.id, userId: r.user_id, name: r.name, privileges: JSON.parse(r.privileges),
      createdAt: Number(r.created_at), expiresAt: r.expires_at === null ? null : Number(r.expires_at),
      lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    }));
  }

  /** Revokes a token; returns false when there was none. */
  async revoke(id: string, userId?: string): Promise<boolean> {
    let q = this.db.deleteFrom('api_tokens').where('id', '=', id);
    if (userId) q = q.where('user_id', '=', userId);
    return Number((await q.executeTakeFirst()).numDeletedRows) > 0;
  }

  /** The live token this text is, or undefined (wrong, revoked, expired, or another user's when `userId` is given). */
  async verify(text: string, userId?: string): Promise<ApiToken | undefined> {
    const m = FORMAT.exec(text);
    if (!m) return undefined;
    const row = await this.db.selectFrom('api_tokens').selectAll().where('id', '=', m[1]).executeTakeFirst();
    if (!row || (userId !== undefined && row.user_id !== userId)) return undefined;
    const expected = Buffer.from(row.secret_hash, 'base64');
    if (!timingSafeEqual(hash(m[2]), expected)) return undefined;
    if (row.expires_at !== null && Number(row.expires_at) <= Date.now()) return undefined;
    return {
      id: row.id, userId: row.user_id, name: row.name, privileges: JSON.parse(row.privileges), createdAt: Number(row.created_at),
      expiresAt: row.expires_at === null ? null : Number(row.expires_at), lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    };
  }
}
