// REST v1 /components and /assets: list a repository's components or assets in pages ({ items,
// continuationToken }, Nexus's shape), get one by id, delete one. Deleting goes through the format
// (Format.deleteAsset: Docker deletes the tag, the manifest or the blob through its store, so write policies
// apply) and is audited as repository.content. Reading needs browse on the repository; deleting, delete.
// POST /components (upload) lives in components-upload.ts.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formats } from '../formats/index.js';
import { deleteAssets } from '../repository/assets.js';
import { NotFoundError } from '../repository/errors.js';
import type { RepositoryConfig } from '../repository/model.js';
import { actor } from '../security/audit.js';
import type { Wharf } from '../wharf.js';
import {
  AssetSchema, ComponentSchema, PAGE_SIZE, assetItem, browsable, componentItem, decodeId, decodeToken, encodeToken, page,
  type AssetRow,
} from './content-view.js';
import { errorResponses, NoContent } from './schemas.js';

const ListQuery = Type.Object({
  repository: Type.String({ description: 'The repository to list', examples: ['docker-hosted'] }),
  continuationToken: Type.Optional(Type.String({ description: 'From the previous page' })),
}, { examples: [{ repository: 'docker-hosted' }] });

const IdParams = Type.Object({ id: Type.String({ description: 'The id a list or search gave', examples: ['ZG9ja2VyLWhvc3RlZDo3'] }) });

async function assetsOf(wharf: Wharf, componentIds: number[]): Promise<Map<number, AssetRow[]>> {
  const byComponent = new Map<number, AssetRow[]>();
  if (!componentIds.length) return byComponent;
  const rows = await wharf.db.selectFrom('assets').selectAll().where('component_id', 'in', componentIds).orderBy('path').execute();
  for (const a of rows) byComponent.set(a.component_id!, [...(byComponent.get(a.component_id!) ?? []), a]);
  return byComponent;
}

/** Deletes assets through their format, and audits each. */
async function deleteContent(wharf: Wharf, request: FastifyRequest, repo: RepositoryConfig, assets: AssetRow[], object: string): Promise<void> {
  wharf.access.check(request.user, repo, 'delete');
  const format = formats[repo.format];
  for (const asset of assets) {
    try {
      if (format?.deleteAsset) await format.deleteAsset(wharf, repo, asset);
      else await deleteAssets(wharf.db, [asset]);
    } catch (err) {
      wharf.audit.record({ ...actor(request), domain: 'repository.content', type: 'delete', repository: repo.name, object, outcome: 'failure', attributes: { path: asset.path, reason: (err as Error).message, source: 'rest' } });
      throw err;
    }
    wharf.audit.record({ ...actor(request), domain: 'repository.content', type: 'delete', repository: repo.name, object, attributes: { path: asset.path, source: 'rest' } });
  }
}

export function registerComponentRoutes(app: FastifyInstance, wharf: Wharf): void {
  const componentById = async (request: FastifyRequest, id: string) => {
    const ref = decodeId(id, 'component');
    const repo = browsable(wharf, request, ref.repository);
    const row = await wharf.db.selectFrom('components').selectAll().where('id', '=', ref.id).where('repository', '=', repo.name).executeTakeFirst();
    if (!row) throw new NotFoundError('asset', `no such component: ${id}`);
    return { repo, row };
  };
  const assetById = async (request: FastifyRequest, id: string) => {
    const ref = decodeId(id, 'asset');
    const repo = browsable(wharf, request, ref.repository);
    const row = await wharf.db.selectFrom('assets').selectAll().where('id', '=', ref.id).where('repository', '=', repo.name).executeTakeFirst();
    if (!row) throw new NotFoundError('asset', `no such asset: ${id}`);
    return { repo, row };
  };

  app.get<{ Querystring: Static<typeof ListQuery> }>('/components', {
    schema: {
      tags: ['components'], summary: 'List components', description: `The components of a repository, ${PAGE_SIZE} per page, with their assets.`,
      querystring: ListQuery, response: { 200: page(ComponentSchema, 'A page of components'), ...errorResponses(400, 404) },
    },
  }, async (request) => {
    const repo = browsable(wharf, request, request.query.repository);
    const rows = await wharf.db.selectFrom('components').selectAll().where('repository', '=', repo.name)
      .where('id', '>', decodeToken(request.query.continuationToken)).orderBy('id').limit(PAGE_SIZE + 1).execute();
    const items = rows.slice(0, PAGE_SIZE);
    const assets = await assetsOf(wharf, items.map((c) => c.id));
    return {
      items: items.map((c) => componentItem(wharf, request, repo, c, assets.get(c.id) ?? [])),
      continuationToken: rows.length > PAGE_SIZE ? encodeToken(items[items.length - 1].id) : null,
    };
  });

  app.get<{ Params: Static<typeof IdParams> }>('/components/:id', {
    schema: { tags: ['components'], summary: 'Get a component', description: 'One component, with its assets.', params: IdParams, response: { 200: ComponentSchema, ...errorResponses(404) } },
  }, async (request) => {
    const { repo, row } = await componentById(request, request.params.id);
    return componentItem(wharf, request, repo, row, (await assetsOf(wharf, [row.id])).get(row.id) ?? []);
  });

  app.delete<{ Params: Static<typeof IdParams> }>('/components/:id', {
    schema: {
      tags: ['components'], summary: 'Delete a component',
      description: 'Deletes a component and its assets through the format (a Docker image tag: the tag goes; the manifest stays for other tags and garbage collection). Needs delete on the repository.',
      params: IdParams, response: { 204: NoContent, ...errorResponses(401, 403, 404) },
    },
  }, async (request, reply) => {
    const { repo, row } = await componentById(request, request.params.id);
    const assets = (await assetsOf(wharf, [row.id])).get(row.id) ?? [];
    await deleteContent(wharf, request, repo, assets, `${row.namespace ? `${row.namespace}/` : ''}${row.name}:${row.version}`);
    if (!assets.length) await wharf.db.deleteFrom('components').where('id', '=', row.id).execute();
    return reply.code(204).send();
  });

  app.get<{ Querystring: Static<typeof ListQuery> }>('/assets', {
    schema: {
      tags: ['assets'], summary: 'List assets', description: `Every asset of a repository (Docker: tags, manifests and blobs), ${PAGE_SIZE} per page.`,
      querystring: ListQuery, response: { 200: page(AssetSchema, 'A page of assets'), ...errorResponses(400, 404) },
    },
  }, async (request) => {
    const repo = browsable(wharf, request, request.query.repository);
    const rows = await wharf.db.selectFrom('assets').selectAll().where('repository', '=', repo.name)
      .where('id', '>', decodeToken(request.query.continuationToken)).orderBy('id').limit(PAGE_SIZE + 1).execute();
    const items = rows.slice(0, PAGE_SIZE);
    return {
      items: items.map((a) => assetItem(wharf, request, repo, a)),
      continuationToken: rows.length > PAGE_SIZE ? encodeToken(items[items.length - 1].id) : null,
    };
  });

  app.get<{ Params: Static<typeof IdParams> }>('/assets/:id', {
    schema: { tags: ['assets'], summary: 'Get an asset', description: 'One asset.', params: IdParams, response: { 200: AssetSchema, ...errorResponses(404) } },
  }, async (request) => {
    const { repo, row } = await assetById(request, request.params.id);
    return assetItem(wharf, request, repo, row);
  });

  app.delete<{ Params: Static<typeof IdParams> }>('/assets/:id', {
    schema: {
      tags: ['assets'], summary: 'Delete an asset',
      description: 'Deletes an asset through the format (Docker: a manifest by digest takes the tags pointing at it). Needs delete on the repository.',
      params: IdParams, response: { 204: NoContent, ...errorResponses(401, 403, 404) },
    },
  }, async (request, reply) => {
    const { repo, row } = await assetById(request, request.params.id);
    await deleteContent(wharf, request, repo, [row], row.path);
    return reply.code(204).send();
  });
}
