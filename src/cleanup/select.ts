// The one selection of what a cleanup policy removes from a repository. Both the preview (REST) and the
// run (repository.cleanup task) call selectForCleanup, so a preview lists exactly what a run deletes.
import type { Kysely } from 'kysely';
import type { RepositoryConfig } from '../repository/model.js';
import type { Database } from '../storage/schema.js';
import { isPrerelease, type CleanupPolicy } from './policy.js';

const DAY_MS = 86_400_000;

/** A component a policy selects: an image tag, a package version. */
export interface CleanupItem {
  componentId: number;
  namespace: string;
  name: string;
  version: string;
  lastUpdated: number;
  lastDownloaded: number | null;
}

/**
 * Components of `repo` that every criterion of `policy` selects, oldest first. Pure read: runs inside the
 * caller's transaction when the caller deletes what it returns.
 */
export async function selectForCleanup(db: Kysely<Database>, repo: RepositoryConfig, policy: CleanupPolicy, now = Date.now()): Promise<CleanupItem[]> {
  if (policy.format !== repo.format) return [];
  const rows = await db.selectFrom('components as c')
    .leftJoin('assets as a', 'a.component_id', 'c.id')
    .select((eb) => ['c.id', 'c.namespace', 'c.name', 'c.version', 'c.updated_at', eb.fn.max('a.last_downloaded_at').as('downloaded')])
    .where('c.repository', '=', repo.name)
    .groupBy(['c.id', 'c.namespace', 'c.name', 'c.version', 'c.updated_at'])
    .execute();
  const items: CleanupItem[] = rows.map((r) => ({
    componentId: r.id, namespace: r.namespace, name: r.name, version: r.version,
    lastUpdated: Number(r.updated_at), lastDownloaded: r.downloaded === null ? null : Number(r.downloaded),
  }));
  // Newest first within a name; ties (same millisecond) broken by creation order.
  items.sort((a, b) => b.lastUpdated - a.lastUpdated || b.componentId - a.componentId);
  const c = policy.criteria;
  const regex = c.regex === undefined ? undefined : new RegExp(`^(?:${c.regex})$`);
  const seen = new Map<string, number>();
  const selected = items.filter((item) => {
    const key = `${item.namespace}\0${item.name}`;
    const rank = (seen.get(key) ?? 0) + 1;
    seen.set(key, rank);
    if (c.retain !== undefined && rank <= c.retain) return false;
    if (c.lastBlobUpdated !== undefined && item.lastUpdated > now - c.lastBlobUpdated * DAY_MS) return false;
    if (c.lastDownloaded !== undefined && (item.lastDownloaded ?? item.lastUpdated) > now - c.lastDownloaded * DAY_MS) return false;
    if (c.prerelease !== undefined && isPrerelease(item.version) !== c.prerelease) return false;
    if (regex && !regex.test(`${item.name}:${item.version}`)) return false;
    return true;
  });
  return selected.reverse();
}
