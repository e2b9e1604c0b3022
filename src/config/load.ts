// Reads wharf.yaml: ${NAME} substitution from the environment, enum values in any case, schema defaults,
// then every problem reported as "key: reason". Never touches the database.
import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { parse } from 'yaml';
import { formats } from '../formats/index.js';
import type { Problem } from '../repository/format.js';
import type { RepositoryConfig } from '../repository/model.js';
import { ConfigSchema, type WharfConfig } from './schema.js';
import { checkHttp } from './http.js';
import { checkLifecycle } from './lifecycle.js';
import { checkWebhooks } from './webhooks.js';
import { normaliseWebhook } from '../webhooks/model.js';
import { blobStoreProblems, normaliseBlobStore } from './blob-store-schema.js';
import { misplacedSections, normaliseRepository } from './repository-schema.js';

export class ConfigError extends Error {
  constructor(readonly file: string, readonly problems: Problem[]) {
    super(`invalid configuration ${file}:\n${problems.map((p) => `  ${p.key}: ${p.reason}`).join('\n')}`);
  }
}

/** Sections of DESIGN.md 1.4 that later versions implement: named clearly instead of "unknown key". */
const NOT_YET: Record<string, string> = {};

/** Keys whose ${...} are templates of their own, not environment references. */
const TEMPLATES = new Set(['security.ldap.groupMemberFormat']); // ${dn}, ${username}

function substitute(value: unknown, env: NodeJS.ProcessEnv, path: string, problems: Problem[]): unknown {
  if (typeof value === 'string') {
    if (TEMPLATES.has(path)) return value;
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      if (env[name] === undefined) problems.push({ key: path, reason: `environment variable ${name} is not set` });
      return env[name] ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, env, `${path}[${i}]`, problems));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, env, path ? `${path}.${k}` : k, problems)]));
  }
  return value;
}

function lowerEnums(config: Record<string, any>): void {
  for (const r of config.repositories ?? []) normaliseRepository(r);
  if (Array.isArray(config.blobStores)) config.blobStores = config.blobStores.map(normaliseBlobStore);
  if (Array.isArray(config.webhooks)) config.webhooks.forEach(normaliseWebhook);
}

function schemaPath(instancePath: string): string {
  return instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.') || '(root)';
}

/** Validates a parsed configuration object; returns it with defaults applied, or throws ConfigError. */
export function checkConfig(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env): WharfConfig {
  const problems: Problem[] = [];
  const config = (substitute(raw ?? {}, env, '', problems) ?? {}) as Record<string, any>;
  if (typeof config !== 'object' || Array.isArray(config)) throw new ConfigError(file, [{ key: '(root)', reason: 'must be a mapping' }]);
  for (const [key, what] of Object.entries(NOT_YET)) {
    const [a, b] = key.split('.');
    if (b ? config[a]?.[b] !== undefined : config[a] !== undefined) {
      problems.push({ key, reason: `${what} are not supported by this version of Wharf yet` });
      if (b) delete config[a][b]; else delete config[a];
    }
  }
  lowerEnums(config);
  Value.Default(ConfigSchema, config);
  for (const e of Value.Errors(ConfigSchema, config)) {
    const key = schemaPath(e.path);
    if (!problems.some((p) => p.key === key)) problems.push({ key, reason: e.message });
  }
  if (!problems.length) problems.push(...checkReferences(config as WharfConfig));
  if (problems.length) throw new ConfigError(file, problems);
  return config as WharfConfig;
}

/** Cross-object rules: unique names, known formats and types, existing blob stores, format validation. */
function checkReferences(config: WharfConfig): Problem[] {
  const problems: Problem[] = [];
  const stores = new Set(['default', ...(config.blobStores ?? []).map((b) => b.name)]);
  config.blobStores?.forEach((b, i) => blobStoreProblems(b).forEach((p) => problems.push({ key: `blobStores[${i}].${p.key}`, reason: p.reason })));
  const repos = (config.repositories ?? []) as RepositoryConfig[];
  const byName = new Map(repos.map((r) => [r.name, r]));
  const seen = new Set<string>();
  repos.forEach((repo, i) => {
    const at = `repositories[${i}]`;
    if (seen.has(repo.name)) problems.push({ key: `${at}.name`, reason: `duplicate repository name ${repo.name}` });
    seen.add(repo.name);
    const format = formats[repo.format];
    if (!format) return problems.push({ key: `${at}.format`, reason: `unknown format ${repo.format} (known: ${Object.keys(formats).join(', ')})` });
    if (!format.types.includes(repo.type)) problems.push({ key: `${at}.type`, reason: `${repo.format} ${repo.type} repositories are not supported by this version` });
    for (const p of misplacedSections(repo)) problems.push({ key: `${at}.${p.key}`, reason: p.reason });
    if (!stores.has(repo.storage.blobStoreName)) problems.push({ key: `${at}.storage.blobStoreName`, reason: `no blob store named ${repo.storage.blobStoreName}` });
    for (const p of format.validate(repo, (n) => byName.get(n), { tls: Boolean(config.http?.tls) })) problems.push({ key: `${at}.${p.key}`, reason: p.reason });
  });
  const ports = new Map<number, string>();
  for (const repo of repos) {
    const connector = formats[repo.format]?.connector?.(repo);
    for (const port of [connector?.port, connector?.httpsPort]) {
      if (!port) continue;
      if (ports.has(port)) problems.push({ key: `repositories.${repo.name}`, reason: `port ${port} is also used by ${ports.get(port)}` });
      ports.set(port, repo.name);
    }
  }
  problems.push(...checkHttp(config.http));
  problems.push(...checkLifecycle(config as Parameters<typeof checkLifecycle>[0]));
  problems.push(...checkWebhooks(config));
  const roleIds = new Set(['nx-admin', 'nx-anonymous', ...(config.security?.roles ?? []).map((r) => r.id)]);
  config.security?.roles?.forEach((r, i) => r.roles.forEach((id, j) => {
    if (!roleIds.has(id)) problems.push({ key: `security.roles[${i}].roles[${j}]`, reason: `no role named ${id}` });
  }));
  config.security?.users?.forEach((u, i) => {
    u.roles.forEach((id, j) => {
      if (!roleIds.has(id)) problems.push({ key: `security.users[${i}].roles[${j}]`, reason: `no role named ${id}` });
    });
    if ((u.password === undefined) === (u.passwordHash === undefined)) {
      problems.push({ key: `security.users[${i}].password`, reason: 'give either password or passwordHash (as export writes it)' });
    }
  });
  const ldap = config.security?.ldap;
  if (ldap?.bindDn && !ldap.bindPassword) problems.push({ key: 'security.ldap.bindPassword', reason: 'required with bindDn (export omits it: add it back, e.g. "${LDAP_PW}")' });
  if (ldap && !/\$\{(dn|username)\}/.test(ldap.groupMemberFormat)) problems.push({ key: 'security.ldap.groupMemberFormat', reason: 'must contain ${dn} or ${username}' });
  const def = config.docker?.defaultRepository;
  if (def && byName.get(def)?.format !== 'docker') problems.push({ key: 'docker.defaultRepository', reason: `no Docker repository named ${def} in this file` });
  return problems;
}

/** Reads and checks a YAML file. Throws ConfigError (with every problem) or a read error. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): WharfConfig {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw new ConfigError(file, [{ key: '(file)', reason: (e as Error).message }]);
    throw new ConfigError(file, [{ key: '(yaml)', reason: (e as Error).message }]);
  }
  return checkConfig(raw, file, env);
}
