// REST v1 cleanup policies (Nexus's /v1/cleanup-policies): CRUD with Nexus's flat fields (criteriaLastBlobUpdated
// ...) or Wharf's `criteria` object (as in wharf.yaml), and previews that list exactly what a run would delete:
// they call the same selectForCleanup as the repository.cleanup task. Privileges: nx-settings-*.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { checkPolicy, type CleanupCriteria, type CleanupPolicy } from '../cleanup/policy.js';
import { selectForCleanup } from '../cleanup/select.js';
import { ConflictError, InvalidError, NotFoundError } from '../repository/errors.js';
import type { RepositoryConfig } from '../repository/model.js';
import type { Wharf } from '../wharf.js';
import { NoContent, StringEnum, errorResponses, isoDate } from './schemas.js';

const TAGS = ['cleanup policies'];

const Criteria = Type.Object({
  lastBlobUpdated: Type.Optional(Type.Integer({ minimum: 1, description: 'Days since last updated' })),
  lastDownloaded: Type.Optional(Type.Integer({ minimum: 1, description: 'Days since last downloaded (or updated, if never)' })),
  prerelease: Type.Optional(Type.Boolean({ description: 'true: only prereleases; false: only releases' })),
  regex: Type.Optional(Type.String({ description: 'Must match all of name:version (image:tag)' })),
  retain: Type.Optional(Type.Integer({ minimum: 1, description: 'Keep the N most recent versions of each name' })),
}, { additionalProperties: false });

const PolicyFields = {
  notes: Type.Optional(Type.String()),
  format: Type.String({ description: 'docker, ...' }),
  criteria: Type.Optional(Criteria),
  criteriaLastBlobUpdated: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  criteriaLastDownloaded: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  criteriaReleaseType: Type.Optional(Type.Union([StringEnum(['RELEASES', 'PRERELEASES'] as const), Type.Null()])),
  criteriaAssetRegex: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  retain: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
};

const PolicyBody = Type.Object({ name: Type.String(), ...PolicyFields }, {
  additionalProperties: false,
  examples: [{ name: 'keep-last-20', format: 'docker', criteria: { retain: 20, lastDownloaded: 90 } }],
});
const PolicyXO = Type.Object({ name: Type.String(), ...PolicyFields, notes: Type.String(), criteria: Criteria }, { description: 'A cleanup policy' });

const PreviewBody = Type.Object({ repository: Type.String(), policy: Type.Omit(PolicyBody, ['name']) }, { additionalProperties: false });
const PreviewQuery = Type.Object({ repository: Type.Optional(Type.String({ description: 'Default: every repository that names the policy' })) });
const Preview = Type.Object({
  total: Type.Integer(),
  items: Type.Array(Type.Object({
    repository: Type.String(), name: Type.String(), version: Type.String(),
    lastUpdated: Type.String(), lastDownloaded: Type.Union([Type.String(), Type.Null()]),
  })),
}, { description: 'What a run would delete, oldest first' });

const NameParams = Type.Object({ name: Type.String() });

/** A policy from a REST body: Wharf's `criteria` object, or Nexus's flat fields. Throws InvalidError. */
export function policyFrom(name: string, body: Omit<Static<typeof PolicyBody>, 'name'>): CleanupPolicy {
  const criteria: CleanupCriteria = body.criteria ? { ...body.criteria } : {
    ...(body.criteriaLastBlobUpdated != null && { lastBlobUpdated: body.criteriaLastBlobUpdated }),
    ...(body.criteriaLastDownloaded != null && { lastDownloaded: body.criteriaLastDownloaded }),
    ...(body.criteriaReleaseType != null && { prerelease: body.criteriaReleaseType === 'PRERELEASES' }),
    ...(body.criteriaAssetRegex != null && { regex: body.criteriaAssetRegex }),
    ...(body.retain != null && { retain: body.retain }),
  };
  const policy = { name, format: body.format.toLowerCase(), notes: body.notes ?? '', criteria };
  const problems = checkPolicy(policy);
  if (problems.length) {
    throw new InvalidError('INVALID', problems.map((p) => `${p.key}: ${p.reason}`).join('; '), problems.map((p) => ({ field: p.key, message: p.reason })));
  }
  return policy;
}

function policyXO(p: CleanupPolicy): Static<typeof PolicyXO> {
  const c = p.criteria;
  return {
    name: p.name, format: p.format, notes: p.notes, criteria: c,
    criteriaLastBlobUpdated: c.lastBlobUpdated ?? null, criteriaLastDownloaded: c.lastDownloaded ?? null,
    criteriaReleaseType: c.prerelease === undefined ? null : c.prerelease ? 'PRERELEASES' : 'RELEASES',
    criteriaAssetRegex: c.regex ?? null, retain: c.retain ?? null,
  };
}

async function preview(wharf: Wharf, repos: RepositoryConfig[], policy: CleanupPolicy): Promise<Static<typeof Preview>> {
  const items = [];
  for (const repo of repos) {
    for (const i of await selectForCleanup(wharf.db, repo, policy)) {
      items.push({ repository: repo.name, name: i.name, version: i.version, lastUpdated: isoDate(i.lastUpdated)!, lastDownloaded: isoDate(i.lastDownloaded) });
    }
  }
  return { total: items.length, items };
}

export function registerCleanupPolicyRoutes(app: FastifyInstance, wharf: Wharf): void {
  const { policies } = wharf.lifecycle;

  app.get('/cleanup-policies', {
    schema: { tags: TAGS, summary: 'List cleanup policies', description: 'Every cleanup policy with its criteria. Needs nx-settings-read.', response: { 200: Type.Array(PolicyXO), ...errorResponses(401, 403) } },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'settings', 'read');
    return (await policies.list()).map(policyXO);
  });

  app.post<{ Body: Static<typeof PolicyBody> }>('/cleanup-policies', {
    schema: { tags: TAGS, summary: 'Create a cleanup policy', description: 'Creates a policy; repositories apply it by naming it in cleanup.policyNames. 409 when the name is taken. Needs nx-settings-create.', body: PolicyBody, response: { 201: PolicyXO, ...errorResponses(400, 401, 403, 409) } },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'settings', 'create');
    const policy = policyFrom(request.body.name, request.body);
    if (await policies.get(policy.name).then(() => true, () => false)) throw new ConflictError(`a cleanup policy named ${policy.name} exists`);
    await policies.put(policy);
    return reply.code(201).send(policyXO(policy));
  });

  app.get<{ Params: Static<typeof NameParams> }>('/cleanup-policies/:name', {
    schema: { tags: TAGS, summary: 'Read a cleanup policy', description: 'One cleanup policy by name. Needs nx-settings-read.', params: NameParams, response: { 200: PolicyXO, ...errorResponses(401, 403, 404) } },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'settings', 'read');
    return policyXO(await policies.get(request.params.name));
  });

  app.put<{ Params: Static<typeof NameParams>; Body: Static<typeof PolicyBody> }>('/cleanup-policies/:name', {
    schema: { tags: TAGS, summary: 'Update a cleanup policy', description: 'Replaces the policy\'s format, notes and criteria; the name cannot change. Needs nx-settings-update.', params: NameParams, body: PolicyBody, response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) } },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'settings', 'update');
    await policies.get(request.params.name);
    if (request.body.name !== request.params.name) throw new InvalidError('INVALID', 'a cleanup policy cannot be renamed', [{ field: 'name', message: 'must equal the name in the path' }]);
    await policies.put(policyFrom(request.params.name, request.body));
    return reply.code(204).send();
  });

  app.delete<{ Params: Static<typeof NameParams> }>('/cleanup-policies/:name', {
    schema: { tags: TAGS, summary: 'Delete a cleanup policy', description: '409 while a repository names it.', params: NameParams, response: { 204: NoContent, ...errorResponses(401, 403, 404, 409) } },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'settings', 'delete');
    await policies.delete(request.params.name);
    return reply.code(204).send();
  });

  app.get<{ Params: Static<typeof NameParams>; Querystring: Static<typeof PreviewQuery> }>('/cleanup-policies/:name/preview', {
    schema: { tags: TAGS, summary: 'What a run of this policy would delete', description: 'The components a cleanup run would delete now, from one repository or from every repository that names the policy; deletes nothing. Needs nx-settings-read.', params: NameParams, querystring: PreviewQuery, response: { 200: Preview, ...errorResponses(401, 403, 404) } },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'settings', 'read');
    const policy = await policies.get(request.params.name);
    const only = request.query.repository;
    if (only && !wharf.repositories.get(only)) throw new NotFoundError('repository', `no repository named ${only}`);
    const repos = only ? [wharf.repositories.get(only)!] : wharf.repositories.list().filter((r) => r.cleanup?.policyNames?.includes(policy.name));
    return preview(wharf, repos, policy);
  });

  app.post<{ Body: Static<typeof PreviewBody> }>('/cleanup-policies/preview', {
    schema: { tags: TAGS, summary: 'What an unsaved policy would delete from a repository', description: 'Tries criteria before saving them: the components a policy with these criteria would delete from the repository now; deletes nothing. Needs nx-settings-read.', body: PreviewBody, response: { 200: Preview, ...errorResponses(400, 401, 403, 404) } },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'settings', 'read');
    const repo = wharf.repositories.get(request.body.repository);
    if (!repo) throw new NotFoundError('repository', `no repository named ${request.body.repository}`);
    return preview(wharf, [repo], policyFrom('preview', request.body.policy));
  });
}
