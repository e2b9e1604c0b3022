// Cross-node single-flight for proxy cache fills: before downloading from the upstream, a node takes a lease
// row in `kv` (`fill:<key>`); other nodes wanting the same item wait until the item is cached (or the lease
// frees up or expires, when the holder failed or died) instead of downloading it again.
// SQLite means one node: the in-process single-flight already coalesces, so no row is written.
// See docs/decisions/scale-out.md.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../storage/database.js';
import { isPostgres } from '../storage/database.js';

/** A held lease is renewed every TTL/3; a lease not renewed for TTL (its node died) can be taken over. */
export const FILL_LEASE_TTL_MS = 10_000;
const POLL_MS = 100;

export interface FillLease {
  release(): Promise<void>;
}

const NO_LEASE: FillLease = { release: async () => {} };

/** Fixed width, so text comparison in SQL orders expiries like numbers. */
const stamp = (ms: number) => String(ms).padStart(15, '0');

/**
 * Resolves with the lease once this node may fill `key`, or with undefined once `isCached()` says another
 * node filled it meanwhile. The caller fills, then releases.
 */
export async function awaitFillLease(db: Db, key: string, isCached: () => Promise<boolean>): Promise<FillLease | undefined> {
  if (!isPostgres(db)) return NO_LEASE;
  const row = `fill:${key}`;
  const token = randomUUID();
  for (;;) {
    const value = await tryTake(db, row, token);
    if (value) {
      if (await isCached()) { // filled by the node that held the lease until just now
        await db.deleteFrom('kv').where('key', '=', row).where('value', '=', value).execute();
        return undefined;
      }
      return hold(db, row, token, value);
    }
    await sleep(POLL_MS);
    if (await isCached()) return undefined;
  }
}

/** Inserts the lease row, or takes over an expired one; returns the row's value when this node holds it. */
async function tryTake(db: Db, row: string, token: string): Promise<string | undefined> {
  const now = Date.now();
  const value = `${stamp(now + FILL_LEASE_TTL_MS)}:${token}`;
  const inserted = await db.insertInto('kv').values({ key: row, value }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return value;
  const taken = await db.updateTable('kv').set({ value }).where('key', '=', row).where('value', '<', stamp(now)).executeTakeFirst();
  return Number(taken.numUpdatedRows) > 0 ? value : undefined;
}

function hold(db: Db, row: string, token: string, first: string): FillLease {
  let value = first;
  const renew = setInterval(() => {
    const next = `${stamp(Date.now() + FILL_LEASE_TTL_MS)}:${token}`;
    db.updateTable('kv').set({ value: next }).where('key', '=', row).where('value', '=', value).execute()
      .then(() => { value = next; }, () => {}); // a failed renewal only shortens the lease
  }, FILL_LEASE_TTL_MS / 3);
  renew.unref();
  return {
    async release() {
      clearInterval(renew);
      await db.deleteFrom('kv').where('key', '=', row).where('value', 'like', `%:${token}`).execute().catch(() => {});
    },
  };
}
