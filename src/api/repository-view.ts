// How a repository looks in REST replies: Nexus's GET /repositories/{format}/{type}/{name} shape (the stored
// body plus name, format, type, url), never with the upstream password; and the lookup every repository
// route shares (a repository the caller may not see is "not found", as in Nexus).
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { NotFoundError } from '../repository/errors.js';
import type { RepositoryConfig } from '../repository/model.js';
import { canBrowse } from '../security/access.js';
import type { Wharf } from '../wharf.js';

export function baseUrl(wharf: Wharf, request: FastifyRequest): string {
  return wharf.settings.baseUrl ?? `${request.protocol}://${request.host}`;
}

/** The repository as GET shows it: every stored section, plus url; httpClient.authentication.password removed. */
export function repositoryView(wharf: Wharf, request: FastifyRequest, repo: RepositoryConfig): Record<string, unknown> {
  const view: Record<string, unknown> = structuredClone(repo);
  const auth = (view.httpClient as { authentication?: { password?: string } } | undefined)?.authentication;
  if (auth) delete auth.password;
  return { name: repo.name, format: repo.format, type: repo.type, url: `${baseUrl(wharf, request)}/repository/${repo.name}`, ...view };
}

/** The repository named `name` if the caller may browse it; else NotFoundError. */
export function visibleRepository(wharf: Wharf, request: FastifyRequest, name: string): RepositoryConfig {
  const repo = wharf.repositories.get(name);
  if (!repo || !canBrowse(wharf.access, request.user, repo)) throw new NotFoundError('repository', `no such repository: ${name}`);
  return repo;
}

export const RepositoryViewSchema = Type.Object({
  name: Type.String(),
  format: Type.String(),
  type: Type.String({ description: 'hosted, proxy or group' }),
  url: Type.String({ description: 'Where clients reach it' }),
  online: Type.Boolean(),
}, {
  additionalProperties: true,
  description: 'A repository as created (Nexus\'s body), with its url; the upstream password is never shown',
  examples: [{
    name: 'docker-releases', format: 'docker', type: 'hosted', url: 'http://localhost:8081/repository/docker-releases', online: true,
    storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'allow_once', latestPolicy: true },
    docker: { v1Enabled: false, forceBasicAuth: true, httpPort: 8082 },
  }],
});

export const NameParams = Type.Object({ name: Type.String({ description: 'The repository name', examples: ['docker-hub'] }) });
