// `wharf config export`: the running configuration as a wharf.yaml document that, applied to a fresh data
// directory, reproduces it. Local users carry their scrypt hash (passwordHash), never a password; the LDAP
// bindPassword and S3 secret keys are left out (add them back as "${LDAP_PW}", "${S3_SECRET}"). Listener
// settings (http) are not stored in the database: they are copied from the configuration file the settings
// name, when there is one.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ServerSettings, Wharf } from '../wharf.js';
import type { WharfConfig } from './schema.js';
import { exportLifecycle } from './lifecycle.js';
import { exportWebhooks } from './webhooks.js';
import { exportedBlobStore } from './blob-store-schema.js';

type ConfigUser = NonNullable<NonNullable<WharfConfig['security']>['users']>[number];

export async function exportConfig(wharf: Wharf): Promise<WharfConfig> {
  const stores = await wharf.db.selectFrom('blob_stores').selectAll().orderBy('name').execute();
  const users: ConfigUser[] = [];
  for (const u of await wharf.users.list({ source: 'default' })) {
    const passwordHash = await wharf.users.passwordHash(u.userId);
    if (!passwordHash) continue;
    users.push({
      userId: u.userId, firstName: u.firstName, lastName: u.lastName, emailAddress: u.emailAddress,
      status: u.status as 'active' | 'disabled', roles: u.roles, passwordHash,
    });
  }
  const http = listenerSettings(wharf);
  return {
    blobStores: stores.map((s) => exportedBlobStore({ name: s.name, type: s.type as 'file', ...JSON.parse(s.attributes) })),
    repositories: wharf.repositories.list(),
    ...(await exportLifecycle(wharf)),
    webhooks: await exportWebhooks(wharf),
    docker: { ...wharf.server.docker },
    ...(http && { http }),
    security: {
      anonymous: { enabled: wharf.server.access.anonymous },
      realms: wharf.server.realms as ('local' | 'dockerToken' | 'ldap')[],
      ...(wharf.server.ldap && { ldap: withoutSecret(wharf.server.ldap) }),
      roles: wharf.roles.list().filter((r) => !r.readOnly)
        .map((r) => ({ id: r.id, name: r.name, description: r.description, privileges: r.privileges, roles: r.roles })),
      users,
    },
  };
}

/** The http section of the configuration file in use (listeners are read at start, never stored). */
function listenerSettings(wharf: Wharf): WharfConfig['http'] | undefined {
  const file = wharf.settings.configFile;
  if (!file || !existsSync(file)) return undefined;
  return (parse(readFileSync(file, 'utf8')) as WharfConfig | null)?.http;
}

/** Export never writes the LDAP bindPassword: a file to apply must add it back (e.g. "${LDAP_PW}"). */
function withoutSecret(ldap: NonNullable<ServerSettings['ldap']>): NonNullable<ServerSettings['ldap']> {
  const { bindPassword: _omitted, ...rest } = ldap;
  return rest;
}
