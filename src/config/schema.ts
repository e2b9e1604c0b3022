// The wharf.yaml schema (DESIGN.md 1.4): the same field names as the REST API bodies, which follow Nexus's.
// Unknown keys are errors. Sections of the design that this build does not implement yet are refused by
// name in load.ts rather than silently ignored.
import { Type, type Static } from '@sinclair/typebox';
import { HttpSchema } from './http.js';
import { CleanupPolicyEntrySchema, TaskEntrySchema } from './lifecycle-schema.js';
import type { RepositoryConfig } from '../repository/model.js';
import { NAME_PATTERN, repositorySchema } from './repository-schema.js';
import { BlobStoreSchema } from './blob-store-schema.js';
import { WebhookEntrySchema } from './webhooks.js';

export { StorageSchema } from './repository-schema.js';

export { BlobStoreSchema } from './blob-store-schema.js';

/** A repository entry: shared sections plus every format's own (config/repository-schema.ts). */
export const RepositorySchema = Type.Unsafe<RepositoryConfig>(repositorySchema());

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

/** A user in wharf.yaml: a password, or (as `wharf config export` writes it) the stored scrypt hash. */
export const ConfigUserSchema = Type.Object({
  ...UserSchema.properties,
  password: Type.Optional(UserSchema.properties.password),
  passwordHash: Type.Optional(Type.String({ pattern: '^scrypt\\$' })),
}, { additionalProperties: false });

export const ConfigSchema = Type.Object({
  /** Delete objects of the kinds this file declares that it does not list (default: keep them). */
  prune: Type.Optional(Type.Boolean()),
  blobStores: Type.Optional(Type.Array(BlobStoreSchema)),
  repositories: Type.Optional(Type.Array(RepositorySchema)),
  cleanupPolicies: Type.Optional(Type.Array(CleanupPolicyEntrySchema)),
  tasks: Type.Optional(Type.Array(TaskEntrySchema)),
  webhooks: Type.Optional(Type.Array(WebhookEntrySchema)),
  docker: Type.Optional(Type.Object({ defaultRepository: Type.Optional(Type.String()) }, { additionalProperties: false })),
  http: Type.Optional(HttpSchema), // listener settings, read at start (config/http.ts)
  security: Type.Optional(Type.Object({
    anonymous: Type.Optional(Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false })),
    realms: Type.Optional(Type.Array(Type.Union(REALMS.map((r) => Type.Literal(r))))),
    roles: Type.Optional(Type.Array(RoleSchema)),
    users: Type.Optional(Type.Array(ConfigUserSchema)),
    ldap: Type.Optional(LdapSchema),
  }, { additionalProperties: false })),
}, { additionalProperties: false });

export type WharfConfig = Static<typeof ConfigSchema>;
export type { BlobStoreEntry } from './blob-store-schema.js';
