// Makes the database match wharf.yaml: creates or updates what the file declares, keeps what it does not
// (objects made through the API stay), and provisions the default repositories on a new data directory.
// Idempotent: a second run with the same file reports no change.
import { formats } from '../formats/index.js';
import type { RepositoryConfig } from '../repository/model.js';
import type { Wharf, ServerSettings } from '../wharf.js';
import type { WharfConfig } from './schema.js';

export interface Change {
  kind: 'blobStore' | 'repository' | 'setting' | 'role' | 'user';
  name: string;
  action: 'create' | 'update';
}

const DEFAULT_STORE = { name: 'default', type: 'file', path: 'blobs/default' };

/** The audit domain of each kind of change. */
const AUDIT_DOMAIN: Record<Change['kind'], string> = {
  blobStore: 'blobstore', repository: 'repository', setting: 'settings', role: 'security.role', user: 'security.user',
};

/** Applies `config` (already checked by load.ts); with dryRun, only reports. Returns the changes, which are
 *  audited as made by `by` ('system' at start, 'cli' for `wharf config apply`). */
export async function reconcile(wharf: Wharf, config: WharfConfig, dryRun = false, by = 'system'): Promise<Change[]> {
  const changes: Change[] = [];
  const { db } = wharf;
  const stores = [DEFAULT_STORE, ...(config.blobStores ?? [])];
  const declared = new Map(stores.map((s) => [s.name, s])); // a declared "default" replaces the built-in one
  for (const store of declared.values()) {
    const { name, type, ...rest } = store;
    const attributes = JSON.stringify(rest);
    const row = await db.selectFrom('blob_stores').selectAll().where('name', '=', name).executeTakeFirst();
    if (row && row.type === type && row.attributes === attributes) continue;
    changes.push({ kind: 'blobStore', name, action: row ? 'update' : 'create' });
    if (dryRun) continue;
    await db.insertInto('blob_stores').values({ name, type, attributes })
      .onConflict((oc) => oc.column('name').doUpdateSet({ type, attributes })).execute();
    await wharf.blobStores.open({ name, type, ...rest });
  }

  const provisioned = await db.selectFrom('kv').select('value').where('key', '=', 'provisioned').executeTakeFirst();
  let repos = (config.repositories ?? []) as RepositoryConfig[];
  const server: ServerSettings = JSON.parse(JSON.stringify(wharf.server));
  if (!provisioned && !repos.length) {
    repos = Object.values(formats).flatMap((f) => f.defaults?.('default') ?? []);
    server.docker.defaultRepository ??= repos.find((r) => r.format === 'docker' && r.type === 'group')?.name
      ?? repos.find((r) => r.format === 'docker')?.name;
  }
  for (const repo of repos) {
    const existing = wharf.repositories.get(repo.name);
    if (existing && JSON.stringify(existing) === JSON.stringify(repo)) continue;
    changes.push({ kind: 'repository', name: repo.name, action: existing ? 'update' : 'create' });
    if (!dryRun) await wharf.repositories.put(repo);
  }

  if (config.docker?.defaultRepository !== undefined) server.docker.defaultRepository = config.docker.defaultRepository;
  if (config.security?.anonymous) server.access.anonymous = config.security.anonymous.enabled;
  if (config.security?.realms) server.realms = [...config.security.realms];
  if (config.security?.ldap) server.ldap = { ...config.security.ldap };
  for (const role of config.security?.roles ?? []) {
    const desired = { id: role.id, name: role.name ?? role.id, description: role.description ?? '', privileges: role.privileges, roles: role.roles, source: 'default', readOnly: false };
    const existing = wharf.roles.get(role.id);
    if (existing && JSON.stringify(existing) === JSON.stringify(desired)) continue;
    changes.push({ kind: 'role', name: role.id, action: existing ? 'update' : 'create' });
    if (!dryRun) await wharf.roles.put(desired);
  }
  for (const user of config.security?.users ?? []) {
    const exists = await db.selectFrom('users').select('user_id').where('user_id', '=', user.userId).executeTakeFirst();
    if (dryRun) {
      if (!exists) changes.push({ kind: 'user', name: user.userId, action: 'create' });
      continue;
    }
    if (await wharf.users.put(user)) changes.push({ kind: 'user', name: user.userId, action: exists ? 'update' : 'create' });
  }
  if (JSON.stringify(server) !== JSON.stringify(wharf.server) || !provisioned) {
    if (JSON.stringify(server) !== JSON.stringify(wharf.server)) changes.push({ kind: 'setting', name: 'server', action: 'update' });
    if (!dryRun) {
      await db.transaction().execute(async (tx) => {
        for (const [key, value] of [['server', JSON.stringify(server)], ['provisioned', String(Date.now())]]) {
          await tx.insertInto('kv').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
        }
      });
      Object.assign(wharf.server, server);
    }
  }
  if (!dryRun) {
    for (const c of changes) {
      const repo = c.kind === 'repository' ? wharf.repositories.get(c.name) : undefined;
      wharf.audit.record({
        userId: by, domain: AUDIT_DOMAIN[c.kind], type: c.action, object: c.name, repository: repo?.name,
        attributes: { source: 'configuration', ...(repo && { format: repo.format, type: repo.type }) },
      });
    }
  }
  return changes;
}

/** The running configuration as a wharf.yaml document (what `wharf config export` prints). */
export async function exportConfig(wharf: Wharf): Promise<WharfConfig> {
  const stores = await wharf.db.selectFrom('blob_stores').selectAll().orderBy('name').execute();
  return {
    blobStores: stores.map((s) => ({ name: s.name, type: s.type as 'file', ...JSON.parse(s.attributes) })),
    repositories: wharf.repositories.list() as WharfConfig['repositories'],
    docker: { ...wharf.server.docker },
    security: {
      anonymous: { enabled: wharf.server.access.anonymous },
      realms: wharf.server.realms as ('local' | 'dockerToken' | 'ldap')[],
      ...(wharf.server.ldap && { ldap: withoutSecret(wharf.server.ldap) }),
      roles: wharf.roles.list().filter((r) => !r.readOnly)
        .map((r) => ({ id: r.id, name: r.name, description: r.description, privileges: r.privileges, roles: r.roles })),
    },
  };
}

/** Export never writes the LDAP bindPassword: a file to apply must add it back (e.g. "${LDAP_PW}"). */
function withoutSecret(ldap: NonNullable<ServerSettings['ldap']>): NonNullable<ServerSettings['ldap']> {
  const { bindPassword: _omitted, ...rest } = ldap;
  return rest;
}
