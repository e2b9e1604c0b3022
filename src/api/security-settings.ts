// REST v1 /security/anonymous and /security/realms: anonymous access and the active authentication realms,
// in Nexus's shapes. Stored with the other server settings (server-settings.ts). Needs nx-settings-read/update.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { REALMS } from '../config/schema.js';
import { InvalidError } from '../repository/errors.js';
import { actor } from '../security/audit.js';
import type { Wharf } from '../wharf.js';
import { errorResponses, NoContent, StringEnum } from './schemas.js';
import { updateServerSettings } from './server-settings.js';

const TAGS = ['security: settings'];
const ANONYMOUS_USER = 'anonymous';
const REALM_NAME = 'NexusAuthorizingRealm'; // Nexus's name, kept for scripts that send it back

const AnonymousSchema = Type.Object({
  enabled: Type.Boolean({ description: 'Whether requests without credentials get the nx-anonymous role' }),
  userId: Type.String({ description: 'Always anonymous' }),
  realmName: Type.String({ description: 'Always NexusAuthorizingRealm' }),
}, { description: 'Anonymous access', examples: [{ enabled: true, userId: ANONYMOUS_USER, realmName: REALM_NAME }] });

const AnonymousBody = Type.Object({
  enabled: Type.Boolean(),
  userId: Type.Optional(Type.String()),
  realmName: Type.Optional(Type.String()),
}, { description: 'Anonymous access; userId may only be anonymous', examples: [{ enabled: false, userId: ANONYMOUS_USER, realmName: REALM_NAME }] });

const Realm = StringEnum(REALMS, { description: 'local (users and passwords of Wharf), dockerToken (Docker bearer tokens), ldap' });
const RealmList = Type.Array(Realm, { minItems: 1, uniqueItems: true, description: 'Active realm ids, in order', examples: [['local', 'dockerToken']] });

const REALM_NAMES: Record<(typeof REALMS)[number], string> = { local: 'Local Authenticating Realm', dockerToken: 'Docker Bearer Token Realm', ldap: 'LDAP Realm' };
const AvailableRealms = Type.Array(Type.Object({ id: Realm, name: Type.String() }), {
  description: 'Realms this build has', examples: [[{ id: 'local', name: REALM_NAMES.local }]],
});

const anonymous = (wharf: Wharf) => ({ enabled: wharf.server.access.anonymous, userId: ANONYMOUS_USER, realmName: REALM_NAME });

export function registerSettingsRoutes(app: FastifyInstance, wharf: Wharf): void {
  app.get('/security/anonymous', {
    schema: {
      tags: TAGS, summary: 'Get anonymous access', description: 'Whether anonymous access is on. Needs nx-settings-read.',
      response: { 200: AnonymousSchema, ...errorResponses(401, 403) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'settings', 'read');
    return anonymous(wharf);
  });

  app.put<{ Body: Static<typeof AnonymousBody> }>('/security/anonymous', {
    schema: {
      tags: TAGS, summary: 'Set anonymous access', description: 'Turns anonymous access on or off; the reply is the new setting. Needs nx-settings-update.',
      body: AnonymousBody, response: { 200: AnonymousSchema, ...errorResponses(400, 401, 403) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'settings', 'update');
    const { enabled, userId } = request.body;
    if (userId !== undefined && userId !== ANONYMOUS_USER) {
      throw new InvalidError('ANONYMOUS_USER', `the anonymous user can only be ${ANONYMOUS_USER}`, [{ field: 'userId', in: 'body', message: `must be ${ANONYMOUS_USER}` }]);
    }
    await updateServerSettings(wharf, (s) => { s.access.anonymous = enabled; });
    wharf.audit.record({ ...actor(request), domain: 'settings', type: 'update', object: 'anonymous', attributes: { enabled } });
    return anonymous(wharf);
  });

  app.get('/security/realms/active', {
    schema: {
      tags: TAGS, summary: 'List active realms', description: 'The ids of the active authentication realms, in order. Needs nx-settings-read.',
      response: { 200: RealmList, ...errorResponses(401, 403) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'settings', 'read');
    return wharf.server.realms;
  });

  app.put<{ Body: Static<typeof RealmList> }>('/security/realms/active', {
    schema: {
      tags: TAGS, summary: 'Set active realms', description: 'Replaces the active realms (ids from /security/realms/available). Needs nx-settings-update.',
      body: RealmList, response: { 204: NoContent, ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'settings', 'update');
    await updateServerSettings(wharf, (s) => { s.realms = [...request.body]; });
    wharf.audit.record({ ...actor(request), domain: 'settings', type: 'update', object: 'realms', attributes: { realms: request.body } });
    return reply.code(204).send();
  });

  app.get('/security/realms/available', {
    schema: {
      tags: TAGS, summary: 'List available realms', description: 'Every realm id and name this build has. Needs nx-settings-read.',
      response: { 200: AvailableRealms, ...errorResponses(401, 403) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'settings', 'read');
    return REALMS.map((id) => ({ id, name: REALM_NAMES[id] }));
  });
}
