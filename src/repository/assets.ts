// Reading and writing the shared component/asset model. Every function takes a Kysely handle so it can run
// inside a caller's transaction. Formats decide paths and kinds; this module knows neither.
import type { Kysely, Selectable } from 'kysely';
import type { AssetTable, Database } from '../storage/schema.js';

export type Asset = Selectable<AssetTable>;
type Q = Kysely<Database>;

export interface NewAsset {
  repository: string;
  path: string;
  kind: string;
  name: string;
  componentId?: number | null;
  sha256: string | null;
  size: number;
  contentType: string;
  attributes?: Record<string, unknown>;
}

export function getAsset(db: Q, repository: string, path: string): Promise<Asset | undefined> {
  return db.selectFrom('assets').selectAll().where('repository', '=', repository).where('path', '=', path).executeTakeFirst();
}

/** Creates or replaces the asset at (repository, path), replacing its references too. Returns its id. */
export async function putAsset(db: Q, asset: NewAsset, refs: { digest: string; kind: string }[] = []): Promise<number> {
  const now = Date.now();
  const values = {
    kind: asset.kind,
    name: asset.name,
    component_id: asset.componentId ?? null,
    sha256: asset.sha256,
    size: asset.size,
    content_type: asset.contentType,
    attributes: JSON.stringify(asset.attributes ?? {}),
    updated_at: now,
  };
  const row = await db.insertInto('assets')
    .values({ repository: asset.repository, path: asset.path, created_at: now, last_downloaded_at: null, ...values })
    .onConflict((oc) => oc.columns(['repository', 'path']).doUpdateSet(values))
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.deleteFrom('asset_refs').where('asset_id', '=', row.id).execute();
  if (refs.length) await db.insertInto('asset_refs').values(refs.map((r) => ({ asset_id: row.id, ...r }))).execute();
  return row.id;
}

/** Deletes assets with their references, and components left without assets. */
export async function deleteAssets(db: Q, assets: Pick<Asset, 'id' | 'component_id'>[]): Promise<void> {
  if (!assets.length) return;
  const ids = assets.map((a) => a.id);
  await db.deleteFrom('asset_refs').where('asset_id', 'in', ids).execute();
  await db.deleteFrom('assets').where('id', 'in', ids).execute();
  const components = [...new Set(assets.map((a) => a.component_id).filter((c): c is number => c !== null))];
  for (const id of components) {
    const left = await db.selectFrom('assets').select('id').where('component_id', '=', id).limit(1).executeTakeFirst();
    if (!left) await db.deleteFrom('components').where('id', '=', id).execute();
  }
}

/** Id of the component with these coordinates, created when missing. */
export async function ensureComponent(db: Q, repository: string, namespace: string, name: string, version: string): Promise<number> {
  const now = Date.now();
  const row = await db.insertInto('components')
    .values({ repository, namespace, name, version, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['repository', 'namespace', 'name', 'version']).doUpdateSet({ updated_at: now }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
