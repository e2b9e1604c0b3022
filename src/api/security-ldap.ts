// REST v1 /security/ldap: the LDAP realm's directory in Nexus's shape (security/ldap-nexus.ts maps it to
// wharf.yaml's security.ldap). Wharf has one LDAP server, so the list has zero or one entry. Stored with the
// other server settings (server-settings.ts): live at once, kept across restarts, shown by `wharf config
// export` (without the bind password, which no reply ever carries). Needs nx-ldap-read/create/update/delete.
// verify-connection and verify-user-mapping are Wharf's own (Nexus has them only in its UI): they try the
// given settings and save nothing.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidError, NotFoundError } from '../repository/errors.js';
import { actor } from '../security/audit.js';
import { LdapDirectory, LdapUnavailableError } from '../security/ldap-directory.js';
import { ldapServerName, toSettings, toView, type LdapServerBody } from '../security/ldap-nexus.js';
import type { Wharf } from '../wharf.js';
import { errorResponses, NoContent, StringEnum } from './schemas.js';
import { updateServerSettings } from './server-settings.js';

const TAGS = ['security: ldap'];
const NAME = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$', description: 'The server\'s name' });
const DN = (description: string) => Type.String({ default: '', description });
const ATTRIBUTE = (def: string, description: string) => Type.String({ minLength: 1, default: def, description });

const SERVER_FIELDS = {
  name: NAME,
  protocol: StringEnum(['ldap', 'ldaps'] as const),
  useTrustStore: Type.Optional(Type.Boolean({ description: 'Kept for Nexus clients; ldaps uses Node\'s trusted CAs (NODE_EXTRA_CA_CERTS)' })),
  host: Type.String({ pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+)$', description: 'Host name or IP address' }),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  searchBase: DN('The base DN that userBaseDn and groupBaseDn are relative to'),
  authScheme: StringEnum(['NONE', 'SIMPLE', 'DIGEST_MD5', 'CRAM_MD5'] as const, { description: 'SIMPLE binds as authUsername; NONE searches anonymously. The DIGEST schemes are refused.' }),
  authRealm: Type.Optional(Type.String({ description: 'DIGEST_MD5 only: must be empty' })),
  authUsername: Type.Optional(Type.String({ description: 'The service account\'s DN (SIMPLE)' })),
  connectionTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 10, description: 'Connect and per-operation timeout' }),
  connectionRetryDelaySeconds: Type.Integer({ minimum: 0, default: 300, description: 'Kept for Nexus clients; unused (Wharf retries on the next login)' }),
  maxIncidentsCount: Type.Integer({ minimum: 0, default: 3, description: 'Kept for Nexus clients; unused' }),
  userBaseDn: DN('Where users are, relative to searchBase'),
  userSubtree: Type.Boolean({ default: false, description: 'Search below userBaseDn too' }),
  userObjectClass: ATTRIBUTE('inetOrgPerson', 'Object class of user entries'),
  userIdAttribute: ATTRIBUTE('uid', 'Attribute holding the user id'),
  userRealNameAttribute: Type.Optional(Type.String()),
  userEmailAddressAttribute: Type.Optional(Type.String()),
  ldapGroupsAsRoles: Type.Boolean({ default: true, description: 'Must be true: a group\'s id is a role id' }),
  groupType: StringEnum(['static', 'dynamic'] as const, { default: 'static', description: 'Must be static' }),
  groupBaseDn: DN('Where groups are, relative to searchBase'),
  groupSubtree: Type.Boolean({ default: false, description: 'Search below groupBaseDn too' }),
  groupObjectClass: ATTRIBUTE('groupOfNames', 'Object class of group entries'),
  groupIdAttribute: ATTRIBUTE('cn', 'Attribute holding the group id (the role id)'),
  groupMemberAttribute: ATTRIBUTE('member', 'Attribute of a group listing its members'),
  groupMemberFormat: ATTRIBUTE('${dn}', 'How a member is written: ${dn} or ${username}'),
  userMemberOfAttribute: Type.Optional(Type.String({ description: 'Dynamic groups only; kept, unused' })),
  cacheTtlSeconds: Type.Integer({ minimum: 0, maximum: 86400, default: 60, description: 'Wharf: how long a successful login is remembered' }),
};

const EXAMPLE = {
  name: 'corp', protocol: 'ldap', host: 'ldap.example.org', port: 389, searchBase: 'dc=example,dc=org',
  authScheme: 'SIMPLE', authUsername: 'cn=wharf,dc=example,dc=org', connectionTimeoutSeconds: 10,
  connectionRetryDelaySeconds: 300, maxIncidentsCount: 3, userBaseDn: 'ou=people', userSubtree: false,
  userObjectClass: 'inetOrgPerson', userIdAttribute: 'uid', userRealNameAttribute: 'cn', userEmailAddressAttribute: 'mail',
  ldapGroupsAsRoles: true, groupType: 'static', groupBaseDn: 'ou=groups', groupSubtree: false, groupObjectClass: 'groupOfNames',
  groupIdAttribute: 'cn', groupMemberAttribute: 'member', groupMemberFormat: '${dn}', cacheTtlSeconds: 60,
};

const ServerBody = Type.Object({
  ...SERVER_FIELDS,
  authPassword: Type.Optional(Type.String({ description: 'The service account\'s password; write-only. Left out on update: the stored one is kept while protocol, host, port and authUsername stay the same.' })),
  userLdapFilter: Type.Optional(Type.String({ description: 'Not supported: must be empty' })),
  userPasswordAttribute: Type.Optional(Type.String({ description: 'Not supported (Wharf binds as the user): must be empty' })),
  id: Type.Optional(Type.String({ description: 'Ignored (Nexus clients send it back)' })),
  order: Type.Optional(Type.Integer({ description: 'Ignored' })),
}, { description: 'An LDAP server in Nexus\'s shape', examples: [{ ...EXAMPLE, authPassword: 'service-password' }] });
type ServerBody = Static<typeof ServerBody>;

const VerifyBody = Type.Object({ ...ServerBody.properties, name: Type.Optional(NAME) }, {
  description: 'Settings to try; authPassword may be left out to use the stored one (same protocol, host, port and authUsername)',
  examples: [{ ...EXAMPLE, authPassword: 'service-password' }],
});

const ServerView = Type.Object({
  id: Type.String(), order: Type.Integer(),
  ...Object.fromEntries(Object.entries(SERVER_FIELDS).map(([k, v]) => [k, Type.Optional(v as TSchema)])),
}, { description: 'The LDAP server; never carries the password', examples: [{ id: 'corp', order: 0, ...EXAMPLE }] });
const ServerList = Type.Array(ServerView, { description: 'Zero or one server (Wharf has one LDAP directory)', examples: [[{ id: 'corp', order: 0, ...EXAMPLE }]] });
const NameParams = Type.Object({ name: Type.String({ description: 'The server\'s name' }) });
const Order = Type.Array(Type.String(), { description: 'Server names in order: the one configured server', examples: [['corp']] });
const Verification = Type.Object({
  success: Type.Boolean(),
  message: Type.String({ description: 'What was checked, or what failed' }),
}, { description: 'The outcome of the check', examples: [{ success: false, message: 'bind as cn=wharf,dc=example,dc=org failed: invalid credentials (LDAP result 49)' }] });

const MAPPING_SAMPLE = 20;
const UserMapping = Type.Object({
  success: Type.Boolean(),
  message: Type.String({ description: 'How many users were found, or what failed' }),
  users: Type.Array(Type.Object({
    userId: Type.String(), dn: Type.String(),
    name: Type.Optional(Type.String()), email: Type.Optional(Type.String()),
    groups: Type.Array(Type.String(), { description: 'Group ids: the roles this user would get' }),
  }), { description: `Up to ${MAPPING_SAMPLE} users` }),
}, {
  description: 'Users as these settings map them',
  examples: [{ success: true, message: '1 user found', users: [{ userId: 'alice', dn: 'uid=alice,ou=people,dc=example,dc=org', name: 'Alice', email: 'alice@example.org', groups: ['platform-dev'] }] }],
});

const KNOWN_FIELDS = new Set(Object.keys(ServerBody.properties));

/** Nexus clients send fields Wharf may not know: name them rather than drop them silently. */
function refuseUnknown(body: object): void {
  const unknown = Object.keys(body).filter((k) => !KNOWN_FIELDS.has(k));
  if (unknown.length) {
    throw new InvalidError('UNKNOWN_FIELD', `unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
      unknown.map((field) => ({ field, in: 'body', message: 'unknown field' })));
  }
}

function stored(wharf: Wharf) {
  const settings = wharf.server.ldap;
  return settings && { settings, extras: wharf.server.ldapServer, name: ldapServerName(settings, wharf.server.ldapServer) };
}

function named(wharf: Wharf, name: string) {
  const current = stored(wharf);
  if (!current || current.name !== name) throw new NotFoundError('asset', `no LDAP server named ${name}`);
  return current;
}

/** Settings from a body, or a 400 naming each refused field. */
function settingsFrom(body: ServerBody | Static<typeof VerifyBody>, wharf: Wharf) {
  refuseUnknown(body);
  const result = toSettings({ ...body, name: body.name ?? 'check' } as LdapServerBody, stored(wharf));
  if ('problems' in result) {
    throw new InvalidError('LDAP_INVALID', result.problems.map((p) => `${p.field}: ${p.message}`).join('; '), result.problems);
  }
  return result;
}

/** The checks connect wherever the body says: for those who may configure LDAP, not for readers. */
function mayVerify(wharf: Wharf, request: FastifyRequest): void {
  if (!wharf.access.allowsDomain(request.user, 'ldap', 'create')) wharf.access.checkDomain(request.user, 'ldap', 'update');
}

function audit(wharf: Wharf, request: FastifyRequest, type: string, name: string, attributes: Record<string, unknown> = {}): void {
  wharf.audit.record({ ...actor(request), domain: 'security.ldap', type, object: name, attributes });
}

export function registerLdapRoutes(app: FastifyInstance, wharf: Wharf): void {
  app.get('/security/ldap', {
    schema: {
      tags: TAGS, summary: 'List LDAP servers', description: 'The configured LDAP server, as a list of zero or one. Needs nx-ldap-read.',
      response: { 200: ServerList, ...errorResponses(401, 403) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'ldap', 'read');
    const current = stored(wharf);
    return current ? [toView(current.settings, current.extras)] : [];
  });

  app.post<{ Body: ServerBody }>('/security/ldap', {
    schema: {
      tags: TAGS, summary: 'Create the LDAP server', description: 'Configures the LDAP directory; 400 when one exists (Wharf has one). Activate the ldap realm (/security/realms/active) for it to log users in. Needs nx-ldap-create.',
      body: ServerBody, response: { 201: NoContent, ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'ldap', 'create');
    const existing = stored(wharf);
    if (existing) throw new InvalidError('LDAP_EXISTS', `an LDAP server (${existing.name}) is already configured: Wharf has one; update or delete it`, [{ field: 'name', in: 'body', message: 'one LDAP server exists already' }]);
    const { settings, extras } = settingsFrom(request.body, wharf);
    await updateServerSettings(wharf, (s) => { s.ldap = settings; s.ldapServer = extras; });
    audit(wharf, request, 'create', extras.name, { url: settings.url });
    return reply.code(201).send();
  });

  app.get<{ Params: Static<typeof NameParams> }>('/security/ldap/:name', {
    schema: {
      tags: TAGS, summary: 'Get the LDAP server', description: 'The LDAP server of this name, without its password. Needs nx-ldap-read.',
      params: NameParams, response: { 200: ServerView, ...errorResponses(401, 403, 404) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'ldap', 'read');
    const current = named(wharf, request.params.name);
    return toView(current.settings, current.extras);
  });

  app.put<{ Params: Static<typeof NameParams>; Body: ServerBody }>('/security/ldap/:name', {
    schema: {
      tags: TAGS, summary: 'Update the LDAP server', description: 'Replaces the LDAP server\'s settings (a new name renames it); effective at once. Needs nx-ldap-update.',
      params: NameParams, body: ServerBody, response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'ldap', 'update');
    named(wharf, request.params.name);
    const { settings, extras } = settingsFrom(request.body, wharf);
    await updateServerSettings(wharf, (s) => { s.ldap = settings; s.ldapServer = extras; });
    audit(wharf, request, 'update', extras.name, { url: settings.url, ...(extras.name !== request.params.name && { renamedFrom: request.params.name }) });
    return reply.code(204).send();
  });

  app.delete<{ Params: Static<typeof NameParams> }>('/security/ldap/:name', {
    schema: {
      tags: TAGS, summary: 'Delete the LDAP server', description: 'Removes the LDAP directory: LDAP users can no longer log in. A wharf.yaml that declares security.ldap brings it back on the next reconcile. Needs nx-ldap-delete.',
      params: NameParams, response: { 204: NoContent, ...errorResponses(401, 403, 404) },
    },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'ldap', 'delete');
    const current = named(wharf, request.params.name);
    // undefined rather than delete: updateServerSettings merges into the live object.
    await updateServerSettings(wharf, (s) => { s.ldap = undefined; s.ldapServer = undefined; });
    audit(wharf, request, 'delete', current.name);
    return reply.code(204).send();
  });

  app.post<{ Body: Static<typeof Order> }>('/security/ldap/change-order', {
    schema: {
      tags: TAGS, summary: 'Order LDAP servers', description: 'Nexus orders several servers; Wharf has one, so the list must name exactly it (or be empty when there is none). Changes nothing. Needs nx-ldap-update.',
      body: Order, response: { 204: NoContent, ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'ldap', 'update');
    const current = stored(wharf);
    const expected = current ? [current.name] : [];
    if (JSON.stringify(request.body) !== JSON.stringify(expected)) {
      throw new InvalidError('LDAP_ORDER', `the order must list the configured LDAP servers: ${JSON.stringify(expected)}`);
    }
    return reply.code(204).send();
  });

  app.post<{ Body: Static<typeof VerifyBody> }>('/security/ldap/verify-connection', {
    schema: {
      tags: TAGS, summary: 'Test LDAP settings', description: 'Connects with these settings, binds as authUsername (or anonymously) and reads the user and group base entries; saves nothing. 200 either way: success says whether it worked, message what was checked or what failed. Needs nx-ldap-update or nx-ldap-create.',
      body: VerifyBody, response: { 200: Verification, ...errorResponses(400, 401, 403) },
    },
  }, async (request) => {
    mayVerify(wharf, request);
    const { settings } = settingsFrom(request.body, wharf);
    try {
      return { success: true, message: `Connection OK: ${await new LdapDirectory(settings).verifyConnection()}` };
    } catch (e) {
      if (!(e instanceof LdapUnavailableError)) throw e;
      return { success: false, message: e.message };
    }
  });

  app.post<{ Body: Static<typeof VerifyBody> }>('/security/ldap/verify-user-mapping', {
    schema: {
      tags: TAGS, summary: 'Test LDAP user and group mapping', description: `Lists up to ${MAPPING_SAMPLE} users these settings find, each with the groups (roles) it would get; saves nothing. 200 either way. Needs nx-ldap-update or nx-ldap-create.`,
      body: VerifyBody, response: { 200: UserMapping, ...errorResponses(400, 401, 403) },
    },
  }, async (request) => {
    mayVerify(wharf, request);
    const { settings } = settingsFrom(request.body, wharf);
    try {
      const users = await new LdapDirectory(settings).sampleUsers(MAPPING_SAMPLE);
      return { success: true, message: `${users.length} user${users.length === 1 ? '' : 's'} found${users.length === MAPPING_SAMPLE ? ' (first page)' : ''}`, users };
    } catch (e) {
      if (!(e instanceof LdapUnavailableError)) throw e;
      return { success: false, message: e.message, users: [] };
    }
  });
}
