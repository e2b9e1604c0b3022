// Online garbage collection of a hosted Docker repository's metadata: manifests that no tag, no kept index
// and no kept subject (for referrers) reaches, then blob assets that no kept manifest references. Content
// younger than the grace period survives (a blob uploaded for a manifest not pushed yet, index children
// pushed before their index). Runs in one transaction, so a manifest PUT (which re-checks its references in
// its own transaction) either sees what GC kept or is refused; it never references something GC removed.
// Bytes are not deleted here: the core marks what no asset references any more and compaction removes it.
import { deleteAssets } from '../../repository/assets.js';
import type { RepositoryConfig } from '../../repository/model.js';
import type { Db } from '../../storage/database.js';
import { KIND } from './paths.js';

export interface GcOptions {
  /** Content written or looked up less than this long ago is kept. */
  graceMs: number;
  now?: number;
}

export interface GcResult {
  manifests: number;
  blobs: number;
}

/** Deletes unreachable manifests and unreferenced blobs of `repo` (hosted only; others are left alone). */
export async function collectGarbage(db: Db, repo: RepositoryConfig, options: GcOptions): Promise<GcResult> {
  if (repo.type !== 'hosted') return { manifests: 0, blobs: 0 };
  const cutoff = (options.now ?? Date.now()) - options.graceMs;
  return db.transaction().execute(async (tx) => {
    const manifests = await tx.selectFrom('assets').select(['id', 'component_id', 'name', 'sha256', 'updated_at'])
      .where('repository', '=', repo.name).where('kind', '=', KIND.manifest).execute();
    const tags = await tx.selectFrom('assets').select(['name', 'sha256'])
      .where('repository', '=', repo.name).where('kind', '=', KIND.tag).execute();
    const refs = await tx.selectFrom('asset_refs').innerJoin('assets', 'assets.id', 'asset_refs.asset_id')
      .select(['asset_refs.asset_id', 'asset_refs.digest', 'asset_refs.kind'])
      .where('assets.repository', '=', repo.name).where('assets.kind', '=', KIND.manifest).execute();
    const refsOf = new Map<number, { digest: string; kind: string }[]>();
    for (const r of refs) {
      if (!refsOf.has(r.asset_id)) refsOf.set(r.asset_id, []);
      refsOf.get(r.asset_id)!.push(r);
    }
    const key = (name: string, digest: string) => `${name}@${digest}`;
    const kept = new Set<string>(tags.map((t) => key(t.name, `sha256:${t.sha256}`)));
    for (const m of manifests) if (Number(m.updated_at) > cutoff) kept.add(key(m.name, `sha256:${m.sha256}`));
    // Grow the kept set to a fixpoint: children of kept indexes, referrers of kept subjects.
    for (let changed = true; changed;) {
      changed = false;
      for (const m of manifests) {
        const self = key(m.name, `sha256:${m.sha256}`);
        const own = refsOf.get(m.id) ?? [];
        if (kept.has(self)) {
          for (const r of own) {
            if (r.kind === 'manifest' && !kept.has(key(m.name, r.digest))) {
              kept.add(key(m.name, r.digest));
              changed = true;
            }
          }
        } else if (own.some((r) => r.kind === 'subject' && kept.has(key(m.name, r.digest)))) {
          kept.add(self);
          changed = true;
        }
      }
    }
    const doomed = manifests.filter((m) => !kept.has(key(m.name, `sha256:${m.sha256}`)));
    const usedBlobs = new Set<string>();
    for (const m of manifests) {
      if (!kept.has(key(m.name, `sha256:${m.sha256}`))) continue;
      for (const r of refsOf.get(m.id) ?? []) if (r.kind === 'blob') usedBlobs.add(r.digest);
    }
    const blobs = (await tx.selectFrom('assets').select(['id', 'component_id', 'path', 'updated_at'])
      .where('repository', '=', repo.name).where('kind', '=', KIND.blob).where('updated_at', '<=', cutoff).execute())
      .filter((b) => !usedBlobs.has(b.path.slice(b.path.lastIndexOf('/') + 1)));
    for (let i = 0; i < doomed.length; i += 500) await deleteAssets(tx, doomed.slice(i, i + 500));
    for (let i = 0; i < blobs.length; i += 500) await deleteAssets(tx, blobs.slice(i, i + 500));
    return { manifests: doomed.length, blobs: blobs.length };
  });
}
