// REST v1 /audit: the audit trail (security/audit.ts), newest first, in pages like Nexus's components API
// ({ items, continuationToken }), filtered by who, what, which object and when. Needs nx-audit-read.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { InvalidError } from '../repository/errors.js';
import type { AuditFilter } from '../security/audit.js';
import type { Wharf } from '../wharf.js';
import { errorResponses } from './schemas.js';

const TAGS = ['audit'];

const EventExample = {
  id: 42, timestamp: '2025-01-01T12:00:00.000Z', userId: 'ci', domain: 'repository.content', type: 'push',
  repository: 'docker-hosted', object: 'team/app:1.0', outcome: 'success', remoteAddress: '10.0.0.7',
  attributes: { image: 'team/app', reference: '1.0', digest: 'sha256:3f1c…', mediaType: 'application/vnd.oci.image.manifest.v1+json' },
};

const AuditEventSchema = Type.Object({
  id: Type.Integer(),
  timestamp: Type.String({ format: 'date-time' }),
  userId: Type.String({ description: 'Who: the user, the name a failed login tried, anonymous, or system / cli for configuration' }),
  domain: Type.String({ description: 'security.login, security.user, security.role, security.token, security.ldap, settings, repository, blobstore, repository.content' }),
  type: Type.String({ description: 'create, update, delete, push, change-password, login-failed, login-blocked ...' }),
  repository: Type.Union([Type.String(), Type.Null()]),
  object: Type.String({ description: 'What was acted on: a user or role id, a repository name, image:tag, image@digest' }),
  outcome: Type.String({ description: 'success or failure' }),
  remoteAddress: Type.Union([Type.String(), Type.Null()], { description: 'The client address (null for configuration at start and the CLI)' }),
  attributes: Type.Record(Type.String(), Type.Unknown(), { description: 'Event detail (digest, media type, reason ...); never a secret' }),
}, { description: 'An audit event', examples: [EventExample] });

const PageSchema = Type.Object({
  items: Type.Array(AuditEventSchema),
  continuationToken: Type.Union([Type.String(), Type.Null()], { description: 'Pass it back for the next page; null on the last page' }),
}, { description: 'A page of audit events, newest first', examples: [{ items: [EventExample], continuationToken: 'NDI' }] });

const DateText = Type.String({ description: 'An ISO 8601 date or date-time, or milliseconds since the epoch' });

const Query = Type.Object({
  continuationToken: Type.Optional(Type.String({ description: 'From the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Events per page' })),
  userId: Type.Optional(Type.String({ description: 'Only events of this user' })),
  domain: Type.Optional(Type.String({ description: 'Only this domain and its sub-domains (security matches security.user)' })),
  type: Type.Optional(Type.String({ description: 'Only this type of event' })),
  repository: Type.Optional(Type.String({ description: 'Only events of this repository' })),
  object: Type.Optional(Type.String({ description: 'Only events whose object contains this text' })),
  outcome: Type.Optional(Type.String({ description: 'success or failure' })),
  since: Type.Optional(DateText),
  until: Type.Optional(DateText),
}, { examples: [{ domain: 'repository.content', repository: 'docker-hosted', since: '2025-01-01' }] });

/** Milliseconds for a date query parameter; throws InvalidError naming it. */
function time(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new InvalidError('DATE', `${name}: not a date: ${text}`, [{ field: name, in: 'querystring', message: 'must be an ISO 8601 date or date-time' }]);
  return ms;
}

// The token is the id to continue before; opaque to clients (base64url), so its form may change.
const encodeToken = (id: number) => Buffer.from(`a${id}`).toString('base64url');
function decodeToken(token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  const m = /^a(\d{1,15})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw new InvalidError('CONTINUATION_TOKEN', 'invalid continuationToken', [{ field: 'continuationToken', in: 'querystring', message: 'not a token of this API' }]);
  return Number(m[1]);
}

export function registerAuditRoutes(app: FastifyInstance, wharf: Wharf): void {
  app.get<{ Querystring: Static<typeof Query> }>('/audit', {
    schema: {
      tags: TAGS, summary: 'Query the audit trail',
      description: 'Configuration changes, content pushes and deletes, and failed logins, newest first. Needs nx-audit-read.',
      querystring: Query, response: { 200: PageSchema, ...errorResponses(400, 401, 403) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'audit', 'read');
    const q = request.query;
    const filter: AuditFilter = {
      userId: q.userId, domain: q.domain, type: q.type, repository: q.repository, object: q.object, outcome: q.outcome,
      since: time('since', q.since), until: time('until', q.until),
    };
    const before = decodeToken(q.continuationToken);
    await wharf.audit.flush(); // what was recorded before this request is in the answer
    const page = await wharf.audit.query(filter, q.limit ?? 100, before);
    return { items: page.items, continuationToken: page.next === undefined ? null : encodeToken(page.next) };
  });
}
