// REST v1 repository configuration, with Nexus's paths and bodies: GET/POST/PUT /repositories/{format}/{type}[/{name}]
// for every format and type this build serves (one route per format and type, each validating exactly that
// body, built from the shared sections and the format's own: config/repository-schema.ts), and DELETE
// /repositories/{name}. Creating or changing a repository opens or closes its connector ports at once.
// Privileges: nx-repository-admin-<format>-<repo>-<read|add|edit|delete>.
import type { Static } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { misplacedSections, normaliseRepository, repositoryBody } from '../config/repository-schema.js';
import { repositoryRemovalProblem } from '../config/removal.js';
import { formats } from '../formats/index.js';
import { ConflictError, InvalidError, NotFoundError } from '../repository/errors.js';
import type { Format, Problem } from '../repository/format.js';
import type { RepositoryConfig, RepositoryType } from '../repository/model.js';
import { actor } from '../security/audit.js';
import type { Wharf } from '../wharf.js';
import { NameParams, RepositoryViewSchema, repositoryView, visibleRepository } from './repository-view.js';
import { errorResponses, NoContent } from './schemas.js';

const TAGS = ['repositories'];
const PORTS_NOTE = 'Connector ports (docker.httpPort, httpsPort) open or close at once; a port that cannot be opened (in use) is logged and named in the audit event.';

/** Everything wrong with `repo` as the live configuration would be after the change. */
function problems(wharf: Wharf, repo: RepositoryConfig): Problem[] {
  const format = formats[repo.format];
  const found: Problem[] = [...misplacedSections(repo)];
  if (!wharf.blobStores.names().includes(repo.storage.blobStoreName)) found.push({ key: 'storage.blobStoreName', reason: `no blob store named ${repo.storage.blobStoreName}` });
  const lookup = (name: string) => (name === repo.name ? repo : wharf.repositories.get(name));
  found.push(...format.validate(repo, lookup, { tls: wharf.connectors?.tls ?? false }));
  const mine = format.connector?.(repo);
  for (const port of [mine?.port, mine?.httpsPort]) {
    if (!port) continue;
    if (port === wharf.settings.port) found.push({ key: 'docker', reason: `port ${port} is the main port` });
    for (const other of wharf.repositories.list()) {
      if (other.name === repo.name) continue;
      const theirs = formats[other.format]?.connector?.(other);
      if (theirs?.port === port || theirs?.httpsPort === port) found.push({ key: 'docker', reason: `port ${port} is also used by ${other.name}` });
    }
  }
  return found;
}

function refuse(found: Problem[]): never {
  throw new InvalidError('REPOSITORY_INVALID', found.map((p) => `${p.key}: ${p.reason}`).join('; '),
    found.map((p) => ({ field: p.key, in: 'body', message: p.reason })));
}

/** Saves a repository, audits it, and brings connector ports in line. */
async function save(wharf: Wharf, request: FastifyRequest, repo: RepositoryConfig, type: 'create' | 'update'): Promise<void> {
  await wharf.repositories.put(repo);
  const ports = await wharf.connectors?.sync();
  wharf.audit.record({
    ...actor(request), domain: 'repository', type, repository: repo.name, object: repo.name,
    attributes: { format: repo.format, type: repo.type, ...(ports?.failed.length && { portsFailed: ports.failed }) },
  });
}

/** A PUT that leaves httpClient.authentication.password out keeps the stored one (GET never shows it). */
function keepPassword(existing: RepositoryConfig, next: RepositoryConfig): void {
  type Auth = { authentication?: { username?: string; password?: string } };
  const was = (existing.httpClient as Auth | undefined)?.authentication;
  const now = (next.httpClient as Auth | undefined)?.authentication;
  if (now && was && now.password === undefined && was.username === now.username) now.password = was.password;
}

function registerFormatType(app: FastifyInstance, wharf: Wharf, format: Format, type: RepositoryType): void {
  const Body = repositoryBody(format, type);
  const label = `${format.name} ${type}`;
  const path = `/repositories/${format.name}/${type}`;
  // Enum values in any case, and null for "not set", as Nexus clients send them. Unknown fields are refused by
  // name here: Fastify's validator would silently strip them, and a misspelt field must not be lost.
  const preValidation = async (request: FastifyRequest) => {
    normaliseRepository(request.body);
    const unknown = [...Value.Errors(Body, request.body)].filter((e) => e.type === ValueErrorType.ObjectAdditionalProperties);
    if (unknown.length) {
      const fields = unknown.map((e) => e.path.replace(/^\//, '').replaceAll('/', '.'));
      throw new InvalidError('UNKNOWN_FIELD', `unknown field${fields.length > 1 ? 's' : ''}: ${fields.join(', ')}`,
        fields.map((field) => ({ field, in: 'body', message: `${label} repositories have no such field` })));
    }
  };

  app.get<{ Params: Static<typeof NameParams> }>(`${path}/:name`, {
    schema: {
      tags: TAGS, summary: `Get a ${label} repository`, description: `The configuration of a ${label} repository, as POST takes it plus format, type and url. Needs nx-repository-admin-${format.name}-<name>-read.`,
      params: NameParams, response: { 200: RepositoryViewSchema, ...errorResponses(401, 403, 404) },
    },
  }, async (request) => {
    const repo = visibleRepository(wharf, request, request.params.name);
    if (repo.format !== format.name || repo.type !== type) throw new NotFoundError('repository', `${repo.name} is a ${repo.format} ${repo.type} repository`);
    wharf.access.checkRepositoryAdmin(request.user, format.name, repo.name, 'read');
    return repositoryView(wharf, request, repo);
  });

  app.post<{ Body: Static<typeof Body> }>(path, {
    preValidation,
    schema: {
      tags: TAGS, summary: `Create a ${label} repository`,
      description: `Creates a ${label} repository from Nexus's body; fields Wharf does not act on are kept as given. ${PORTS_NOTE} Needs nx-repository-admin-${format.name}-*-add.`,
      body: Body, response: { 201: NoContent, ...errorResponses(400, 401, 403, 409) },
    },
  }, async (request, reply) => {
    wharf.access.checkRepositoryAdmin(request.user, format.name, request.body.name as string, 'add');
    const repo = { ...request.body, format: format.name, type } as RepositoryConfig;
    if (wharf.repositories.get(repo.name)) throw new ConflictError(`a repository named ${repo.name} already exists`);
    const found = problems(wharf, repo);
    if (found.length) refuse(found);
    await save(wharf, request, repo, 'create');
    return reply.code(201).send();
  });

  app.put<{ Params: Static<typeof NameParams>; Body: Static<typeof Body> }>(`${path}/:name`, {
    preValidation,
    schema: {
      tags: TAGS, summary: `Update a ${label} repository`,
      description: `Replaces the configuration of a ${label} repository (the name in the body must match). Without httpClient.authentication.password the stored password is kept. ${PORTS_NOTE} Needs nx-repository-admin-${format.name}-<name>-edit.`,
      params: NameParams, body: Body, response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const { name } = request.params;
    const existing = visibleRepository(wharf, request, name);
    wharf.access.checkRepositoryAdmin(request.user, format.name, name, 'edit');
    if (request.body.name !== name) throw new InvalidError('REPOSITORY_NAME', `the body's name ${String(request.body.name)} is not ${name} (repositories cannot be renamed)`, [{ field: 'name', in: 'body', message: 'must equal the name in the path' }]);
    if (existing.format !== format.name || existing.type !== type) throw new InvalidError('REPOSITORY_TYPE', `${name} is a ${existing.format} ${existing.type} repository, not ${label}`);
    const repo = { ...request.body, format: format.name, type } as RepositoryConfig;
    keepPassword(existing, repo);
    const found = problems(wharf, repo);
    if (found.length) refuse(found);
    await save(wharf, request, repo, 'update');
    return reply.code(204).send();
  });
}

export function registerRepositoryWriteRoutes(app: FastifyInstance, wharf: Wharf): void {
  for (const format of Object.values(formats)) for (const type of format.types) registerFormatType(app, wharf, format, type);

  app.delete<{ Params: Static<typeof NameParams> }>('/repositories/:name', {
    schema: {
      tags: TAGS, summary: 'Delete a repository',
      description: 'Deletes a repository and its components and assets (the bytes are reclaimed by the compact task) and closes its connector ports. Refused (409) while a group lists it or it is the default Docker repository. Needs nx-repository-admin-<format>-<name>-delete.',
      params: NameParams, response: { 204: NoContent, ...errorResponses(401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const repo = visibleRepository(wharf, request, request.params.name);
    wharf.access.checkRepositoryAdmin(request.user, repo.format, repo.name, 'delete');
    const problem = repositoryRemovalProblem(wharf.repositories.list(), new Set([repo.name]), wharf.server);
    if (problem) throw new ConflictError(problem);
    await wharf.repositories.delete(repo.name);
    await wharf.connectors?.sync();
    wharf.audit.record({ ...actor(request), domain: 'repository', type: 'delete', repository: repo.name, object: repo.name, attributes: { format: repo.format, type: repo.type } });
    return reply.code(204).send();
  });
}
