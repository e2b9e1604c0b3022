// The repository body, in Nexus's REST shape, built from two parts: the sections every format shares
// (storage, cleanup, component, group, proxy, negativeCache, httpClient, routingRule, replication) and the
// sections each format contributes through its Format.sections (docker, dockerProxy, raw ...). wharf.yaml
// validates with the union (repositorySchema); each REST route /repositories/{format}/{type} validates with the
// exact body of that format and type (repositoryBody). Fields Nexus clients send that Wharf does not act on
// (component, routingRule, replication, subdomain ...) are accepted and kept, so a body round-trips.
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { formats } from '../formats/index.js';
import type { Format, Problem } from '../repository/format.js';
import type { RepositoryConfig, RepositoryType } from '../repository/model.js';

export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$';
const ALL: readonly RepositoryType[] = ['hosted', 'proxy', 'group'];

const WritePolicy = Type.Union([Type.Literal('allow'), Type.Literal('allow_once'), Type.Literal('deny')], {
  description: 'allow: redeploy allowed; allow_once: immutable (disable redeploy); deny: read-only. Any case.',
});

export const StorageSchema = Type.Object({
  blobStoreName: Type.String({ default: 'default', description: 'The blob store holding the bytes' }),
  strictContentTypeValidation: Type.Optional(Type.Boolean({ description: 'Kept for Nexus compatibility' })),
  writePolicy: Type.Optional(WritePolicy),
  latestPolicy: Type.Optional(Type.Boolean({ description: 'Docker, with allow_once: the tag latest may still move' })),
}, { additionalProperties: false, default: {} });

/** Hosted-only storage fields are refused on proxy and group bodies (Nexus's shapes differ the same way). */
const GroupOrProxyStorage = Type.Object({
  blobStoreName: StorageSchema.properties.blobStoreName,
  strictContentTypeValidation: StorageSchema.properties.strictContentTypeValidation,
}, { additionalProperties: false, default: {} });

const Section = (properties: Record<string, TSchema>, description: string) =>
  Type.Object(properties, { additionalProperties: false, description });

/** Sections every format shares, with the repository types they belong to. */
export const COMMON_SECTIONS: Record<string, { schema: TSchema; types: readonly RepositoryType[] }> = {
  cleanup: {
    types: ['hosted', 'proxy'],
    schema: Section({ policyNames: Type.Array(Type.String()) }, 'Cleanup policies applied by the cleanup task'),
  },
  component: {
    types: ['hosted'],
    schema: Section({ proprietaryComponents: Type.Optional(Type.Boolean()) }, 'Kept for Nexus compatibility'),
  },
  group: {
    types: ['group'],
    schema: Section({
      memberNames: Type.Array(Type.String(), { minItems: 1, description: 'Members, in the order reads try them' }),
      writableMember: Type.Optional(Type.String({ description: 'The hosted member pushes go to' })),
      writeRoutes: Type.Optional(Type.Array(Type.Object({ tagPattern: Type.String(), member: Type.String() }, { additionalProperties: false }), {
        description: 'Wharf: pushes whose tag matches tagPattern go to member instead of writableMember',
      })),
    }, 'Group members'),
  },
  proxy: {
    types: ['proxy'],
    schema: Section({
      remoteUrl: Type.String({ pattern: '^https?://', description: 'The upstream' }),
      contentMaxAge: Type.Optional(Type.Integer({ minimum: -1, description: 'Minutes; -1 = forever' })),
      metadataMaxAge: Type.Optional(Type.Integer({ minimum: -1, description: 'Minutes tags and indexes stay fresh' })),
    }, 'The upstream'),
  },
  negativeCache: {
    types: ['proxy'],
    schema: Section({ enabled: Type.Boolean(), timeToLive: Type.Optional(Type.Integer({ minimum: 0, description: 'Minutes' })) }, 'Caching of upstream 404s'),
  },
  httpClient: {
    types: ['proxy'],
    schema: Section({
      blocked: Type.Optional(Type.Boolean()),
      autoBlock: Type.Optional(Type.Boolean()),
      connection: Type.Optional(Section({
        timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, description: 'Seconds' })),
        retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
        userAgentSuffix: Type.Optional(Type.String()),
        enableCircularRedirects: Type.Optional(Type.Boolean()),
        enableCookies: Type.Optional(Type.Boolean()),
        useTrustStore: Type.Optional(Type.Boolean()),
      }, 'Connection settings')),
      authentication: Type.Optional(Section({
        type: Type.Literal('username'),
        username: Type.String(),
        password: Type.Optional(Type.String({ description: 'Required on create; GET never shows it, and a PUT without it keeps the stored one' })),
        preemptive: Type.Optional(Type.Boolean()),
        ntlmHost: Type.Optional(Type.String()),
        ntlmDomain: Type.Optional(Type.String()),
      }, 'Credentials for the upstream')),
      tls: Type.Optional(Section({ caFile: Type.Optional(Type.String()), insecureSkipVerify: Type.Optional(Type.Boolean()) }, 'Wharf: upstream TLS')),
    }, 'How Wharf talks to the upstream'),
  },
  routingRule: { types: ['proxy'], schema: Type.String({ description: 'Kept for Nexus compatibility' }) },
  replication: {
    types: ['proxy'],
    schema: Section({ preemptivePullEnabled: Type.Optional(Type.Boolean()), assetPathRegex: Type.Optional(Type.String()) }, 'Kept for Nexus compatibility'),
  },
};

/** Common sections and every built format's sections, by name. */
function allSections(): Record<string, { schema: TSchema; types: readonly RepositoryType[]; format?: string }> {
  const sections: Record<string, { schema: TSchema; types: readonly RepositoryType[]; format?: string }> = { ...COMMON_SECTIONS };
  for (const format of Object.values(formats)) {
    for (const [key, s] of Object.entries(format.sections ?? {})) sections[key] = { ...s, format: format.name };
  }
  return sections;
}

/** wharf.yaml's repository entry: the common fields, format and type, and every section of every format. */
export function repositorySchema(): TObject {
  const sections = Object.fromEntries(Object.entries(allSections()).map(([k, s]) => [k, Type.Optional(s.schema)]));
  return Type.Object({
    name: Type.String({ pattern: NAME_PATTERN }),
    format: Type.String(),
    type: Type.Union(ALL.map((t) => Type.Literal(t))),
    online: Type.Boolean({ default: true }),
    storage: StorageSchema,
    ...sections,
  }, { additionalProperties: false });
}

/** The REST body of POST/PUT /repositories/{format}/{type}: only the sections that apply to that format and type. */
export function repositoryBody(format: Format, type: RepositoryType): TObject {
  const sections = Object.entries({ ...COMMON_SECTIONS, ...format.sections })
    .filter(([, s]) => s.types.includes(type))
    .map(([k, s]) => [k, Type.Optional(s.schema)]);
  return Type.Object({
    name: Type.String({ pattern: NAME_PATTERN, description: 'A unique name; it appears in URLs' }),
    online: Type.Boolean({ default: true, description: 'Whether the repository answers requests' }),
    storage: type === 'hosted' ? StorageSchema : GroupOrProxyStorage,
    ...Object.fromEntries(sections),
  }, {
    additionalProperties: false,
    description: `A ${format.name} ${type} repository (Nexus's body)`,
    ...(format.examples?.[type] ? { examples: [format.examples[type]] } : {}),
  });
}

/** Sections present on `repo` that do not belong to its format or type (e.g. proxy on a hosted repository). */
export function misplacedSections(repo: RepositoryConfig): Problem[] {
  const problems: Problem[] = [];
  for (const [key, s] of Object.entries(allSections())) {
    if (repo[key] === undefined) continue;
    if (s.format && s.format !== repo.format) problems.push({ key, reason: `only ${s.format} repositories have this section` });
    else if (!s.types.includes(repo.type)) problems.push({ key, reason: `only ${s.types.join(' and ')} repositories have this section (this one is ${repo.type})` });
  }
  const auth = (repo.httpClient as { authentication?: { password?: string } } | undefined)?.authentication;
  if (auth && auth.password === undefined) problems.push({ key: 'httpClient.authentication.password', reason: 'required with a username' });
  if (repo.type !== 'hosted') {
    for (const key of ['writePolicy', 'latestPolicy'] as const) {
      if (repo.storage?.[key] !== undefined) problems.push({ key: `storage.${key}`, reason: `only hosted repositories have a ${key}` });
    }
  }
  return problems;
}

/** In place: enum values in any case become the canonical case, and null fields are dropped (Nexus clients send
 *  `"httpPort": null` for "none"). Returns the same object. */
export function normaliseRepository<T>(raw: T): T {
  const r = dropNulls(raw) as Record<string, any>;
  if (!r || typeof r !== 'object') return raw;
  for (const key of ['format', 'type']) if (typeof r[key] === 'string') r[key] = r[key].toLowerCase();
  if (typeof r.storage?.writePolicy === 'string') r.storage.writePolicy = r.storage.writePolicy.toLowerCase();
  if (typeof r.httpClient?.authentication?.type === 'string') r.httpClient.authentication.type = r.httpClient.authentication.type.toLowerCase();
  // Each format knows the enums of its own sections (docker's indexType, raw's contentDisposition).
  for (const format of Object.values(formats)) format.normalise?.(r);
  return raw;
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) value.forEach(dropNulls);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      if (v === null) delete o[k];
      else dropNulls(v);
    }
  }
  return value;
}
