// REST v1 repositories (read side for now): the list in Nexus's JSON shape, and the health of a repository,
// which for a proxy is its upstream's state (ready, blocked, auto-blocked and why). Only repositories the
// caller may browse are listed or found.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formats } from '../formats/index.js';
import { NotFoundError } from '../repository/errors.js';
import type { RepositoryConfig } from '../repository/model.js';
import { canBrowse } from '../security/access.js';
import type { Wharf } from '../wharf.js';
import { errorResponses } from './schemas.js';

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

const RepositoryStatus = Type.Object({
  name: Type.String(),
  online: Type.Boolean(),
  upstream: Type.Optional(Type.Object({
    status: Type.String({ description: 'ready, blocked or auto-blocked' }),
    reason: Type.Optional(Type.String()),
    blockedUntil: Type.Optional(Type.String()),
  }, { description: 'Proxies only: the state of the remote' })),
}, { description: 'A repository\'s health', examples: [{ name: 'docker-hub', online: true, upstream: { status: 'ready' } }] });

const NameParams = Type.Object({ name: Type.String({ description: 'The repository name', examples: ['docker-hub'] }) });

function baseUrl(wharf: Wharf, request: FastifyRequest): string {
  return wharf.settings.baseUrl ?? `${request.protocol}://${request.host}`;
}

function summary(wharf: Wharf, request: FastifyRequest, repo: RepositoryConfig) {
  const attributes: Record<string, unknown> = {};
  if (repo.proxy) attributes.proxy = { remoteUrl: (repo.proxy as { remoteUrl?: string }).remoteUrl };
  return { name: repo.name, format: repo.format, type: repo.type, url: `${baseUrl(wharf, request)}/repository/${repo.name}`, attributes };
}

export function registerRepositoryRoutes(app: FastifyInstance, wharf: Wharf): void {
  app.get('/repositories', {
    schema: {
      tags: TAGS, summary: 'List repositories', description: 'The repositories you may browse.',
      response: { 200: Type.Array(RepositorySummary, { examples: [[RepositorySummary.examples[0]]] }) },
    },
  }, async (request) =>
    wharf.repositories.list().filter((r) => canBrowse(wharf.access, request.user, r)).map((r) => summary(wharf, request, r)));

  app.get<{ Params: Static<typeof NameParams> }>('/repositories/:name/status', {
    schema: {
      tags: TAGS, summary: 'Repository health', description: 'Whether the repository is online and, for a proxy, the state of its upstream.',
      params: NameParams, response: { 200: RepositoryStatus, ...errorResponses(404) },
    },
  }, async (request) => {
    const repo = wharf.repositories.get(request.params.name);
    if (!repo || !canBrowse(wharf.access, request.user, repo)) throw new NotFoundError('repository', 'repository not found');
    const upstream = formats[repo.format]?.upstreamStatus?.(wharf, repo);
    return { name: repo.name, online: repo.online, ...(upstream ? { upstream } : {}) };
  });
}
