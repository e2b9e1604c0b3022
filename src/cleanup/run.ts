// Applies a repository's cleanup policies: the components selectForCleanup picks are deleted with their
// assets in the same transaction as the selection. Bytes are not touched here: what the deleted assets
// referenced is garbage-collected and compacted later (a Docker tag's manifest and layers follow via GC).
import { deleteAssets } from '../repository/assets.js';
import type { RepositoryConfig } from '../repository/model.js';
import type { Db } from '../storage/database.js';
import type { CleanupPolicy } from './policy.js';
import { selectForCleanup, type CleanupItem } from './select.js';

/** Removes what `policy` selects in `repo`; returns the removed components. */
export async function applyPolicy(db: Db, repo: RepositoryConfig, policy: CleanupPolicy, now = Date.now()): Promise<CleanupItem[]> {
  return db.transaction().execute(async (tx) => {
    const items = await selectForCleanup(tx, repo, policy, now);
    const ids = items.map((i) => i.componentId);
    for (let i = 0; i < ids.length; i += 500) {
      const assets = await tx.selectFrom('assets').select(['id', 'component_id']).where('component_id', 'in', ids.slice(i, i + 500)).execute();
      await deleteAssets(tx, assets);
      await tx.deleteFrom('components').where('id', 'in', ids.slice(i, i + 500)).execute();
    }
    return items;
  });
}
