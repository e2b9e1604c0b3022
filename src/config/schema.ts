// The wharf.yaml schema (DESIGN.md 1.4): the same field names as the REST API bodies, which follow Nexus's.
// Unknown keys are errors. Sections of the design that this build does not implement yet are refused by
// name in load.ts rather than silently ignored.
import { Type, type Static } from '@sinclair/typebox';
import { HttpSchema } from './http.js';

const Port = Type.Integer({ minimum: 1, maximum: 65535 });

export const BlobStoreSchema = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$' }),
  type: Type.Literal('file'),
  path: Type.Optional(Type.String({ minLength: 1 })),
}, { additionalProperties: false });

export const StorageSchema = Type.Object({
  blobStoreName: Type.String({ default: 'default' }),
  strictContentTypeValidation: Type.Optional(Type.Boolean()),
  writePolicy: Type.Optional(Type.Union([Type.Literal('allow'), Type.Literal('allow_once'), Type.Literal('deny')])),
  latestPolicy: Type.Optional(Type.Boolean()),
}, { additionalProperties: false, default: {} });

export const RepositorySchema = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$' }),
  format: Type.String(),
  type: Type.Union([Type.Literal('hosted'), Type.Literal('proxy'), Type.Literal('group')]),
  online: Type.Boolean({ default: true }),
  storage: StorageSchema,
  cleanup: Type.Optional(Type.Object({ policyNames: Type.Array(Type.String()) }, { additionalProperties: false })),
  group: Type.Optional(Type.Object({
    memberNames: Type.Array(Type.String(), { minItems: 1 }),
    writableMember: Type.Optional(Type.String()),
    writeRoutes: Type.Optional(Type.Array(Type.Object({ tagPattern: Type.String(), member: Type.String() }, { additionalProperties: false }))),
  }, { additionalProperties: false })),
  proxy: Type.Optional(Type.Object({
    remoteUrl: Type.String({ pattern: '^https?://' }),
    contentMaxAge: Type.Optional(Type.Integer({ minimum: -1 })),
    metadataMaxAge: Type.Optional(Type.Integer({ minimum: -1 })),
  }, { additionalProperties: false })),
  negativeCache: Type.Optional(Type.Object({
    enabled: Type.Boolean(),
    timeToLive: Type.Optional(Type.Integer({ minimum: 0 })),
  }, { additionalProperties: false })),
  httpClient: Type.Optional(Type.Object({
    blocked: Type.Optional(Type.Boolean()),
    autoBlock: Type.Optional(Type.Boolean()),
    connection: Type.Optional(Type.Object({
      timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
      retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
      userAgentSuffix: Type.Optional(Type.String()),
    }, { additionalProperties: false })),
    authentication: Type.Optional(Type.Object({
      type: Type.Literal('username'),
      username: Type.String(),
      password: Type.String(),
    }, { additionalProperties: false })),
    tls: Type.Optional(Type.Object({
      caFile: Type.Optional(Type.String()),
      insecureSkipVerify: Type.Optional(Type.Boolean()),
    }, { additionalProperties: false })),
  }, { additionalProperties: false })),
  dockerProxy: Type.Optional(Type.Object({
    indexType: Type.Optional(Type.Union([Type.Literal('REGISTRY'), Type.Literal('HUB'), Type.Literal('CUSTOM')])),
    indexUrl: Type.Optional(Type.String()),
    cacheForeignLayers: Type.Optional(Type.Boolean()),
  }, { additionalProperties: false })),
  docker: Type.Optional(Type.Object({
    httpPort: Type.Optional(Port),
    httpsPort: Type.Optional(Port),
    forceBasicAuth: Type.Optional(Type.Boolean()),
    v1Enabled: Type.Optional(Type.Boolean()),
  }, { additionalProperties: false })),
}, { additionalProperties: false });

export const REALMS = ['local', 'dockerToken', 'ldap'] as const;

/** The LDAP realm (Nexus's LDAP connection + user and group mapping); see security/ldap.ts. */
export const LdapSchema = Type.Object({
  url: Type.String({ pattern: '^ldaps?://[^/?#]+/?$' }),
  bindDn: Type.Optional(Type.String({ minLength: 1 })), // absent: anonymous searches
  bindPassword: Type.Optional(Type.String()), // never exported
  userBaseDn: Type.String(),
  userSubtree: Type.Boolean({ default: false }),
  userObjectClass: Type.String({ minLength: 1, default: 'inetOrgPerson' }),
  userIdAttribute: Type.String({ minLength: 1, default: 'uid' }),
  userEmailAddressAttribute: Type.Optional(Type.String({ minLength: 1 })),
  userRealNameAttribute: Type.Optional(Type.String({ minLength: 1 })),
  groupBaseDn: Type.String(),
  groupSubtree: Type.Boolean({ default: false }),
  groupObjectClass: Type.String({ minLength: 1, default: 'groupOfNames' }),
  groupIdAttribute: Type.String({ minLength: 1, default: 'cn' }),
  groupMemberAttribute: Type.String({ minLength: 1, default: 'member' }),
  groupMemberFormat: Type.String({ minLength: 1, default: '${dn}' }), // ${dn} or ${username}
  connectionTimeout: Type.Integer({ minimum: 1, maximum: 3600, default: 10 }), // seconds, connect and each operation
  cacheTtl: Type.Integer({ minimum: 0, maximum: 86400, default: 60 }), // seconds a successful login is remembered
}, { additionalProperties: false });
export type LdapSettings = Static<typeof LdapSchema>;

export const RoleSchema = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$' }),
  name: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  privileges: Type.Array(Type.String(), { default: [] }),
  roles: Type.Array(Type.String(), { default: [] }),
}, { additionalProperties: false });

export const UserSchema = Type.Object({
  userId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,199}$' }),
  firstName: Type.Optional(Type.String()),
  lastName: Type.Optional(Type.String()),
  emailAddress: Type.Optional(Type.String()),
  password: Type.String({ minLength: 1 }),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
  roles: Type.Array(Type.String(), { default: [] }),
}, { additionalProperties: false });

export const ConfigSchema = Type.Object({
  blobStores: Type.Optional(Type.Array(BlobStoreSchema)),
  repositories: Type.Optional(Type.Array(RepositorySchema)),
  docker: Type.Optional(Type.Object({ defaultRepository: Type.Optional(Type.String()) }, { additionalProperties: false })),
  http: Type.Optional(HttpSchema), // listener settings, read at start (config/http.ts)
  security: Type.Optional(Type.Object({
    anonymous: Type.Optional(Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false })),
    realms: Type.Optional(Type.Array(Type.Union(REALMS.map((r) => Type.Literal(r))))),
    roles: Type.Optional(Type.Array(RoleSchema)),
    users: Type.Optional(Type.Array(UserSchema)),
    ldap: Type.Optional(LdapSchema),
  }, { additionalProperties: false })),
}, { additionalProperties: false });

export type WharfConfig = Static<typeof ConfigSchema>;
export type BlobStoreEntry = Static<typeof BlobStoreSchema>;
