// Soft deletion of blobs: garbage collection marks the bytes no asset references, compaction removes them.
// Format-neutral: "referenced" means some asset of a repository on that blob store has the sha256.
//
// The race with writers (a push that re-uses bytes already in the store) is closed in three steps, all
// through the database (docs/decisions/online-gc.md):
//   1. a writer calls releaseMark() before it commits bytes: a pending mark is dropped, and a blob that
//      compaction is deleting right now is waited for (then written again by the writer's commit);
//   2. the writer's transaction that records the asset calls claimInTx(): it drops a mark made meanwhile,
//      and refuses when compaction already started deleting the bytes;
//   3. compaction flips a mark to "deleting" only in a transaction that re-checks nothing references it,
//      and the writer checks the bytes exist after its transaction (checkPresent).
import type { Kysely } from 'kysely';
import type { BlobStore } from './blob-store.js';
import type { Db } from './database.js';
import type { Database } from './schema.js';

type Q = Kysely<Database>;

const WAIT_STEP_MS = 50;
const WAIT_LIMIT_MS = 30_000;

/** Compaction is deleting these bytes right now: the writer must not record them. */
export class BlobBeingDeletedError extends Error {
  constructor(readonly store: string, readonly sha256: string) {
    super(`blob sha256:${sha256} is being removed from blob store ${store} by compaction; push it again`);
  }
}

/** Drops a pending mark before a writer commits `sha256`; waits while compaction deletes it. Safe to repeat. */
export async function releaseMark(db: Db, store: string, sha256: string): Promise<void> {
  for (let waited = 0; ; waited += WAIT_STEP_MS) {
    await db.deleteFrom('blob_marks').where('blob_store', '=', store).where('sha256', '=', sha256).where('state', '=', 'marked').execute();
    const left = await db.selectFrom('blob_marks').select('state').where('blob_store', '=', store).where('sha256', '=', sha256).executeTakeFirst();
    if (!left) return;
    if (waited >= WAIT_LIMIT_MS) throw new BlobBeingDeletedError(store, sha256);
    await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
  }
}

/** Inside the transaction that records an asset over `sha256`: drops a mark, throws BlobBeingDeletedError
 *  when compaction has started deleting the bytes. */
export async function claimInTx(tx: Q, store: string, sha256: string): Promise<void> {
  const mark = await tx.selectFrom('blob_marks').select('state').where('blob_store', '=', store).where('sha256', '=', sha256).executeTakeFirst();
  if (!mark) return;
  if (mark.state === 'deleting') throw new BlobBeingDeletedError(store, sha256);
  await tx.deleteFrom('blob_marks').where('blob_store', '=', store).where('sha256', '=', sha256).execute();
}

/** After the recording transaction: the bytes must still be there (compaction may have finished just before). */
export async function checkPresent(blobs: BlobStore, sha256: string): Promise<void> {
  if (!(await blobs.stat(sha256))) throw new BlobBeingDeletedError(blobs.name, sha256);
}

async function referenced(db: Q, repositories: string[], sha256: string): Promise<boolean> {
  if (!repositories.length) return false;
  return Boolean(await db.selectFrom('assets').select('id').where('sha256', '=', sha256)
    .where('repository', 'in', repositories).limit(1).executeTakeFirst());
}

export interface MarkResult {
  marked: number;
  bytes: number;
}

/**
 * Marks every blob of `store` that no asset of `repositories` (the repositories on that store) references,
 * except bytes written less than `graceMs` ago (a writer may not have recorded its asset yet). Blobs already
 * marked are left as they are. Returns what it marked now.
 */
export async function markUnreferenced(db: Db, store: BlobStore, repositories: string[], graceMs: number, now = Date.now()): Promise<MarkResult> {
  const used = new Set<string>();
  if (repositories.length) {
    const rows = await db.selectFrom('assets').select('sha256').distinct()
      .where('repository', 'in', repositories).where('sha256', 'is not', null).execute();
    for (const r of rows) used.add(r.sha256!);
  }
  const already = new Set((await db.selectFrom('blob_marks').select('sha256').where('blob_store', '=', store.name).execute()).map((r) => r.sha256));
  const result: MarkResult = { marked: 0, bytes: 0 };
  for await (const blob of store.list()) {
    if (used.has(blob.sha256) || already.has(blob.sha256) || blob.modified > now - graceMs) continue;
    // Re-checked at insert time: an asset recorded since the snapshot above keeps its blob.
    const inserted = await db.transaction().execute(async (tx) => {
      if (await referenced(tx, repositories, blob.sha256)) return false;
      await tx.insertInto('blob_marks').values({ blob_store: store.name, sha256: blob.sha256, size: blob.size, state: 'marked', marked_at: now })
        .onConflict((oc) => oc.columns(['blob_store', 'sha256']).doNothing()).execute();
      return true;
    });
    if (inserted) {
      result.marked++;
      result.bytes += blob.size;
    }
  }
  return result;
}

export interface CompactResult {
  deleted: number;
  bytes: number;
  /** Marks dropped because something references the blob again. */
  kept: number;
}

/**
 * Removes the bytes of every marked blob of `store` that is still unreferenced (through the BlobStore
 * interface, so any store type works). Resumes deletions a crash interrupted. `shouldStop` is asked between
 * blobs. Safe to run twice, and on several nodes at once.
 */
export async function compact(db: Db, store: BlobStore, repositories: string[], shouldStop: () => boolean = () => false): Promise<CompactResult> {
  const result: CompactResult = { deleted: 0, bytes: 0, kept: 0 };
  const marks = await db.selectFrom('blob_marks').selectAll().where('blob_store', '=', store.name).orderBy('sha256').execute();
  for (const mark of marks) {
    if (shouldStop()) break;
    const go = await db.transaction().execute(async (tx) => {
      const now = await tx.selectFrom('blob_marks').select('state').where('blob_store', '=', store.name).where('sha256', '=', mark.sha256).executeTakeFirst();
      if (!now) return false; // a writer claimed it
      if (await referenced(tx, repositories, mark.sha256)) {
        await tx.deleteFrom('blob_marks').where('blob_store', '=', store.name).where('sha256', '=', mark.sha256).execute();
        result.kept++;
        return false;
      }
      await tx.updateTable('blob_marks').set({ state: 'deleting' }).where('blob_store', '=', store.name).where('sha256', '=', mark.sha256).execute();
      return true;
    });
    if (!go) continue;
    const info = await store.stat(mark.sha256);
    await store.delete(mark.sha256);
    await db.deleteFrom('blob_marks').where('blob_store', '=', store.name).where('sha256', '=', mark.sha256).execute();
    if (info) {
      result.deleted++;
      result.bytes += info.size;
    }
  }
  return result;
}

/** Marked bytes of a store waiting for compaction (reclaimable space). */
export async function reclaimable(db: Db, store: string): Promise<{ blobs: number; bytes: number }> {
  const row = await db.selectFrom('blob_marks').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('size').as('bytes')])
    .where('blob_store', '=', store).executeTakeFirst();
  return { blobs: Number(row?.n ?? 0), bytes: Number(row?.bytes ?? 0) };
}
