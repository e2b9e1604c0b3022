// The composition root: everything a request handler, task or CLI command may use, built once per process.
import pino, { type Logger } from 'pino';
import type { Settings } from './config/settings.js';
import { openDatabase, type Db } from './storage/database.js';
import { BlobStores } from './storage/blob-stores.js';
import { Repositories } from './repository/repositories.js';
import { Users } from './security/users.js';
import { Authorizer } from './security/access.js';
import { Roles } from './security/roles.js';
import { ApiTokens } from './security/api-tokens.js';
import { Authenticator } from './security/authenticate.js';
import { Signer } from './security/signer.js';
import { LdapRealm } from './security/ldap.js';
import type { LdapSettings } from './config/schema.js';
import { join } from 'node:path';
import { Audit } from './security/audit.js';
import { LoginGuard } from './security/login-guard.js';
import { LoginThrottle } from './security/throttle.js';
import { LOG_REDACT } from './security/redact.js';

/** Server-level settings from wharf.yaml that are not objects of their own. */
export interface ServerSettings {
  docker: { defaultRepository?: string };
  access: { anonymous: boolean };
  /** Active authentication realms, in order: local, dockerToken, ldap. */
  realms: string[];
  /** The LDAP realm's directory (wharf.yaml security.ldap), with its bindPassword. */
  ldap?: LdapSettings;
}

export interface Wharf {
  settings: Settings;
  log: Logger;
  db: Db;
  blobStores: BlobStores;
  repositories: Repositories;
  users: Users;
  roles: Roles;
  apiTokens: ApiTokens;
  signer: Signer;
  authenticator: Authenticator;
  /** The one place that decides who may do what. */
  access: Authorizer;
  /** The audit trail (security/audit.ts): record() who changed what. */
  audit: Audit;
  /** Failed-login throttling and auditing, used by the authentication hook; its throttle's limits are adjustable. */
  loginGuard: LoginGuard;
  server: ServerSettings;
  /** Re-reads server settings and repositories from the database (after a reconcile). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export async function openWharf(settings: Settings, log: Logger = pino({ level: settings.logLevel, redact: LOG_REDACT })): Promise<Wharf> {
  const db = await openDatabase(settings.db);
  const blobStores = new BlobStores(settings.dataDir);
  const repositories = new Repositories(db);
  const roles = new Roles(db);
  const server: ServerSettings = { docker: {}, access: { anonymous: true }, realms: ['local', 'dockerToken'] };
  const users = new Users(db);
  const apiTokens = new ApiTokens(db);
  const signer = await Signer.open(db);
  const ldap = new LdapRealm(() => server.ldap, log);
  const audit = new Audit(db, join(settings.dataDir, 'log', 'audit.log'), log);
  const wharf: Wharf = {
    settings, log, db, blobStores, repositories, roles, server, users, apiTokens, signer,
    authenticator: new Authenticator({ users, apiTokens, signer, ldap }, () => server.realms),
    access: new Authorizer(roles, () => server.access.anonymous),
    audit,
    loginGuard: new LoginGuard(new LoginThrottle(), audit, log),
    async reload() {
      const rows = await db.selectFrom('blob_stores').selectAll().execute();
      for (const row of rows) await blobStores.open({ name: row.name, type: row.type, ...JSON.parse(row.attributes) });
      await repositories.load();
      await roles.load();
      const kv = await db.selectFrom('kv').selectAll().where('key', '=', 'server').executeTakeFirst();
      if (kv) Object.assign(wharf.server, JSON.parse(kv.value));
    },
    async close() {
      await ldap.close();
      await audit.close(); // the last events reach the database before it closes
      await db.destroy();
    },
  };
  return wharf;
}
