// REST v1 repositories, read side and actions: the list in Nexus's JSON shape, one repository by name (the
// shape of GET /repositories/{format}/{type}/{name}), its health (online, upstream state), a health check that
// asks a proxy's upstream now, and invalidate-cache for proxies and groups. Only repositories the caller may
// browse are listed or found. Create, update and delete: repository-write.ts.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formats } from '../formats/index.js';
import { InvalidError } from '../repository/errors.js';
import type { RepositoryConfig } from '../repository/model.js';
import { canBrowse } from '../security/access.js';
import { actor } from '../security/audit.js';
import type { Wharf } from '../wharf.js';
import { NameParams, RepositoryViewSchema, baseUrl, repositoryView, visibleRepository } from './repository-view.js';
import { errorResponses, NoContent } from './schemas.js';

const TAGS = ['repositories'];

const RepositorySummary = Type.Object({
  name: Type.String(),
  format: Type.String(),
  type: Type.String({ description: 'hosted, proxy or group' }),
  url: Type.String({ description: 'Where clients reach it' }),
  attributes: Type.Record(Type.String(), Type.Unknown(), { description: 'For a proxy: { proxy: { remoteUrl } }' }),
}, {
  description: 'A repository',
  examples: [{ name: 'docker-hub', format: 'docker', type: 'proxy', url: 'http://localhost:8081/repository/docker-hub', attributes: { proxy: { remoteUrl: 'https://registry-1.docker.io' } } }],
});

const Upstream = Type.Object({
  status: Type.String({ description: 'ready, blocked or auto-blocked' }),
  reason: Type.Optional(Type.String()),
  blockedUntil: Type.Optional(Type.String()),
}, { description: 'Proxies only: the state of the remote' });

const RepositoryStatus = Type.Object({
  name: Type.String(),
  online: Type.Boolean(),
  upstream: Type.Optional(Upstream),
}, { description: 'A repository\'s health', examples: [{ name: 'docker-hub', online: true, upstream: { status: 'ready' } }] });

const HealthCheck = Type.Object({
  name: Type.String(),
  healthy: Type.Boolean({ description: 'Online, blob store present and, for a proxy, the upstream answered' }),
  checks: Type.Array(Type.Object({ name: Type.String(), healthy: Type.Boolean(), message: Type.String() })),
}, {
  description: 'The result of a health check',
  examples: [{ name: 'docker-hub', healthy: true, checks: [{ name: 'online', healthy: true, message: 'online' }, { name: 'upstream', healthy: true, message: 'GET /v2/ answered 401' }] }],
});

function summary(wharf: Wharf, request: FastifyRequest, repo: RepositoryConfig) {
  const attributes: Record<string, unknown> = {};
  if (repo.proxy) attributes.proxy = { remoteUrl: (repo.proxy as { remoteUrl?: string }).remoteUrl };
  return { name: repo.name, format: repo.format, type: repo.type, url: `${baseUrl(wharf, request)}/repository/${repo.name}`, attributes };
}

async function healthCheck(wharf: Wharf, repo: RepositoryConfig) {
  const checks = [{ name: 'online', healthy: repo.online, message: repo.online ? 'online' : 'offline: the repository answers no requests' }];
  if (repo.type !== 'group') {
    const store = wharf.blobStores.names().includes(repo.storage.blobStoreName);
    checks.push({ name: 'blobStore', healthy: store, message: store ? `blob store ${repo.storage.blobStoreName} is open` : `blob store ${repo.storage.blobStoreName} is not configured` });
  }
  const probe = repo.type === 'proxy' ? await formats[repo.format]?.probeUpstream?.(wharf, repo) : undefined;
  if (probe) checks.push({ name: 'upstream', healthy: probe.reachable, message: probe.message });
  return { name: repo.name, healthy: checks.every((c) => c.healthy), checks };
}

export function registerRepositoryRoutes(app: FastifyInstance, wharf: Wharf): void {
  app.get('/repositories', {
    schema: {
      tags: TAGS, summary: 'List repositories', description: 'The repositories you may browse, by name.',
      response: { 200: Type.Array(RepositorySummary, { examples: [[RepositorySummary.examples[0]]] }) },
    },
  }, async (request) =>
    wharf.repositories.list().filter((r) => canBrowse(wharf.access, request.user, r)).map((r) => summary(wharf, request, r)));

  app.get<{ Params: Static<typeof NameParams> }>('/repositories/:name', {
    schema: {
      tags: TAGS, summary: 'Get a repository', description: 'A repository\'s whole configuration, whatever its format and type (the shape of GET /repositories/{format}/{type}/{name}). Needs nx-repository-admin-<format>-<name>-read.',
      params: NameParams, response: { 200: RepositoryViewSchema, ...errorResponses(401, 403, 404) },
    },
  }, async (request) => {
    const repo = visibleRepository(wharf, request, request.params.name);
    wharf.access.checkRepositoryAdmin(request.user, repo.format, repo.name, 'read');
    return repositoryView(wharf, request, repo);
  });

  app.get<{ Params: Static<typeof NameParams> }>('/repositories/:name/status', {
    schema: {
      tags: TAGS, summary: 'Repository health', description: 'Whether the repository is online and, for a proxy, the state of its upstream (without asking it).',
      params: NameParams, response: { 200: RepositoryStatus, ...errorResponses(404) },
    },
  }, async (request) => {
    const repo = visibleRepository(wharf, request, request.params.name);
    const upstream = formats[repo.format]?.upstreamStatus?.(wharf, repo);
    return { name: repo.name, online: repo.online, ...(upstream ? { upstream } : {}) };
  });

  app.post<{ Params: Static<typeof NameParams> }>('/repositories/:name/health-check', {
    schema: {
      tags: TAGS, summary: 'Check a repository now',
      description: 'Runs the repository\'s health checks now: online, its blob store, and for a proxy one request to the upstream (a 401 counts as reachable). Always 200; `healthy` says the outcome. Needs nx-repository-admin-<format>-<name>-read.',
      params: NameParams, response: { 200: HealthCheck, ...errorResponses(401, 403, 404) },
    },
  }, async (request) => {
    const repo = visibleRepository(wharf, request, request.params.name);
    wharf.access.checkRepositoryAdmin(request.user, repo.format, repo.name, 'read');
    return healthCheck(wharf, repo);
  });

  app.post<{ Params: Static<typeof NameParams> }>('/repositories/:name/invalidate-cache', {
    schema: {
      tags: TAGS, summary: 'Invalidate a proxy\'s cache',
      description: 'For a proxy: forgets upstream 404s (negative cache) and makes cached tags and metadata stale, so the next request revalidates them with the upstream; cached content by digest stays. For a group: the same for each proxy member. 400 for a hosted repository. Needs nx-repository-admin-<format>-<name>-edit.',
      params: NameParams, response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const repo = visibleRepository(wharf, request, request.params.name);
    wharf.access.checkRepositoryAdmin(request.user, repo.format, repo.name, 'edit');
    const invalidate = formats[repo.format]?.invalidateCache;
    if (repo.type === 'hosted' || !invalidate) throw new InvalidError('NOT_PROXY', `${repo.name} is a ${repo.type} repository: only proxy and group repositories have a cache`);
    await invalidate.call(formats[repo.format], wharf, repo);
    wharf.audit.record({ ...actor(request), domain: 'repository', type: 'invalidate-cache', repository: repo.name, object: repo.name });
    return reply.code(204).send();
  });
}
