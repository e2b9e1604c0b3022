// REST v1 /search, /search/assets and /search/assets/download, with Nexus's parameters: keyword q, repository,
// format, group, name, version (a trailing or inner * is a wildcard), sha256 of an asset, and docker.imageName /
// docker.imageTag. Only repositories the caller may browse are searched; group repositories hold nothing of
// their own, so their members' components are found under the members' names (as Nexus does).
import { Type, type Static } from '@sinclair/typebox';
import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidError, NotFoundError } from '../repository/errors.js';
import { canBrowse } from '../security/access.js';
import type { Database } from '../storage/schema.js';
import type { Wharf } from '../wharf.js';
import {
  AssetSchema, ComponentSchema, PAGE_SIZE, assetItem, componentItem, decodeToken, encodeToken, page, type AssetRow,
} from './content-view.js';
import { errorResponses } from './schemas.js';

const TAGS = ['search'];

const SearchQuery = Type.Object({
  continuationToken: Type.Optional(Type.String({ description: 'From the previous page' })),
  q: Type.Optional(Type.String({ description: 'Keyword: part of the group, name or version' })),
  repository: Type.Optional(Type.String()),
  format: Type.Optional(Type.String()),
  group: Type.Optional(Type.String()),
  name: Type.Optional(Type.String({ description: '* is a wildcard' })),
  version: Type.Optional(Type.String({ description: '* is a wildcard' })),
  sha256: Type.Optional(Type.String({ description: 'Of an asset (Docker: the manifest digest, with or without sha256:)' })),
  'docker.imageName': Type.Optional(Type.String({ description: 'Same as name, for Docker' })),
  'docker.imageTag': Type.Optional(Type.String({ description: 'Same as version, for Docker' })),
}, { examples: [{ repository: 'docker-hosted', 'docker.imageName': 'team/app', 'docker.imageTag': '1.*' }] });

type Query = Static<typeof SearchQuery>;
type Components = SelectQueryBuilder<Database, 'components', object>;

/** A LIKE pattern from a Nexus wildcard value: * matches anything, % and _ are literal. */
const like = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll('*', '%');

function matches(column: 'name' | 'version' | 'namespace', value: string) {
  return (eb: ExpressionBuilder<Database, 'components'>) => (value.includes('*')
    ? sql<boolean>`${eb.ref(`components.${column}`)} like ${like(value)} escape '\\'`
    : eb(`components.${column}`, '=', value));
}

/** Repositories searched: those the caller may browse, narrowed by repository and format, groups left out. */
function scope(wharf: Wharf, request: FastifyRequest, q: Query): string[] {
  return wharf.repositories.list(q.format).filter((r) => r.type !== 'group' && (!q.repository || r.name === q.repository)
    && canBrowse(wharf.access, request.user, r)).map((r) => r.name);
}

function componentQuery(wharf: Wharf, request: FastifyRequest, q: Query): Components | undefined {
  const repos = scope(wharf, request, q);
  if (!repos.length) return undefined;
  let query = wharf.db.selectFrom('components').where('components.repository', 'in', repos) as Components;
  const name = q.name ?? q['docker.imageName'];
  const version = q.version ?? q['docker.imageTag'];
  if (name !== undefined) query = query.where(matches('name', name));
  if (version !== undefined) query = query.where(matches('version', version));
  if (q.group !== undefined) query = query.where(matches('namespace', q.group));
  if (q.q) {
    const pattern = `%${like(q.q.toLowerCase())}%`;
    query = query.where((eb) => eb.or((['name', 'version', 'namespace'] as const).map((c) => sql<boolean>`lower(${eb.ref(`components.${c}`)}) like ${pattern} escape '\\'`)));
  }
  if (q.sha256) {
    const hex = sha256Hex(q.sha256);
    query = query.where((eb) => eb.exists(eb.selectFrom('assets').select('assets.id').whereRef('assets.component_id', '=', 'components.id').where('assets.sha256', '=', hex)));
  }
  return query;
}

function sha256Hex(value: string): string {
  const hex = value.replace(/^sha256:/, '').toLowerCase();
  if (!/^[a-f0-9]{64}$/.test(hex)) throw new InvalidError('SHA256', 'sha256 must be 64 hex digits', [{ field: 'sha256', in: 'querystring', message: 'must be 64 hex digits' }]);
  return hex;
}

async function searchAssets(wharf: Wharf, request: FastifyRequest, q: Query, after: number, limit: number): Promise<AssetRow[]> {
  const components = componentQuery(wharf, request, q);
  if (!components) return [];
  let query = wharf.db.selectFrom('assets').selectAll('assets')
    .where('assets.component_id', 'in', components.select('components.id')).where('assets.id', '>', after);
  if (q.sha256) query = query.where('assets.sha256', '=', sha256Hex(q.sha256));
  return query.orderBy('assets.id').limit(limit).execute();
}

export function registerSearchRoutes(app: FastifyInstance, wharf: Wharf): void {
  const repo = (name: string) => wharf.repositories.get(name)!;

  app.get<{ Querystring: Query }>('/search', {
    schema: {
      tags: TAGS, summary: 'Search components', description: `Components matching every given criterion, ${PAGE_SIZE} per page, with their assets.`,
      querystring: SearchQuery, response: { 200: page(ComponentSchema, 'A page of components'), ...errorResponses(400) },
    },
  }, async (request) => {
    const query = componentQuery(wharf, request, request.query);
    if (!query) return { items: [], continuationToken: null };
    const rows = await query.selectAll('components').where('components.id', '>', decodeToken(request.query.continuationToken))
      .orderBy('components.id').limit(PAGE_SIZE + 1).execute();
    const items = rows.slice(0, PAGE_SIZE);
    const assets = items.length ? await wharf.db.selectFrom('assets').selectAll().where('component_id', 'in', items.map((c) => c.id)).orderBy('path').execute() : [];
    return {
      items: items.map((c) => componentItem(wharf, request, repo(c.repository), c, assets.filter((a) => a.component_id === c.id))),
      continuationToken: rows.length > PAGE_SIZE ? encodeToken(items[items.length - 1].id) : null,
    };
  });

  app.get<{ Querystring: Query }>('/search/assets', {
    schema: {
      tags: TAGS, summary: 'Search assets', description: `Assets of the components matching every given criterion (and with sha256, only that asset), ${PAGE_SIZE} per page.`,
      querystring: SearchQuery, response: { 200: page(AssetSchema, 'A page of assets'), ...errorResponses(400) },
    },
  }, async (request) => {
    const rows = await searchAssets(wharf, request, request.query, decodeToken(request.query.continuationToken), PAGE_SIZE + 1);
    const items = rows.slice(0, PAGE_SIZE);
    return {
      items: items.map((a) => assetItem(wharf, request, repo(a.repository), a)),
      continuationToken: rows.length > PAGE_SIZE ? encodeToken(items[items.length - 1].id) : null,
    };
  });

  app.get<{ Querystring: Query }>('/search/assets/download', {
    schema: {
      tags: TAGS, summary: 'Download the asset a search finds',
      description: 'Redirects (302) to the download URL of the one asset matching the criteria; 404 when none does, 400 when several do.',
      querystring: SearchQuery,
      response: { 302: Type.Null({ description: 'Found: Location is the download URL' }), ...errorResponses(400, 404) },
    },
  }, async (request, reply) => {
    const rows = await searchAssets(wharf, request, request.query, 0, 2);
    if (!rows.length) throw new NotFoundError('asset', 'no asset matches the search');
    if (rows.length > 1) throw new InvalidError('AMBIGUOUS', 'the search matches more than one asset: narrow it down');
    return reply.redirect(assetItem(wharf, request, repo(rows[0].repository), rows[0]).downloadUrl, 302);
  });
}
