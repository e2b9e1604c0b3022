// Signs and verifies short-lived tokens (Docker bearer tokens): base64url(JSON payload) "." base64url(HMAC).
// The key lives in the database, so every node that shares it accepts every node's tokens.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../storage/database.js';

export class Signer {
  private constructor(private readonly key: Buffer) {}

  /** Loads the signing key, creating it on a new database. */
  static async open(db: Db): Promise<Signer> {
    const fresh = randomBytes(32).toString('base64');
    await db.insertInto('kv').values({ key: 'token-signing-key', value: fresh }).onConflict((oc) => oc.column('key').doNothing()).execute();
    const row = await db.selectFrom('kv').select('value').where('key', '=', 'token-signing-key').executeTakeFirstOrThrow();
    return new Signer(Buffer.from(row.value, 'base64'));
  }

  private mac(data: string): Buffer {
    return createHmac('sha256', this.key).update(data).digest();
  }

  /** A token carrying `payload` until `ttlSeconds` from now. */
  sign(payload: Record<string, unknown>, ttlSeconds: number): string {
    const body = Buffer.from(JSON.stringify({ ...payload, exp: Math.floor(Date.now() / 1000) + ttlSeconds })).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The payload of a valid, unexpired token; undefined otherwise. */
  verify<T>(token: string): (T & { exp: number }) | undefined {
    const [body, mac] = token.split('.');
    if (!body || !mac || token.split('.').length !== 2) return undefined;
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T & { exp: number };
      return payload.exp > Date.now() / 1000 ? payload : undefined;
    } catch {
      return undefined;
    }
  }
}
