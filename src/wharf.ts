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
import type { LdapServerExtras } from './security/ldap-nexus.js';
import { join } from 'node:path';
import { Audit } from './security/audit.js';
import { LoginGuard } from './security/login-guard.js';
import { LoginThrottle } from './security/throttle.js';
import { LOG_REDACT } from './security/redact.js';
import { CleanupPolicies } from './cleanup/policies.js';
import { TaskStore } from './tasks/store.js';
import { Scheduler } from './tasks/scheduler.js';
import { WebhookStore } from './webhooks/store.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import { DownloadRecorder } from './repository/downloads.js';

/** Server-level settings from wharf.yaml that are not objects of their own. */
export interface ServerSettings {
  docker: { defaultRepository?: string };
  access: { anonymous: boolean };
  /** Active authentication realms, in order: local, dockerToken, ldap. */
  realms: string[];
  /** The LDAP realm's directory (wharf.yaml security.ldap), with its bindPassword. */
  ldap?: LdapSettings;
  /** What the REST API's LDAP server (api/security-ldap.ts) has beyond `ldap`: its name, and Nexus fields kept but unused. */
  ldapServer?: LdapServerExtras;
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
  /** When assets were last downloaded (cleanup's "last downloaded"), batched; flushed on close. */
  downloads: DownloadRecorder;
  /** Failed-login throttling and auditing, used by the authentication hook; its throttle's limits are adjustable. */
  loginGuard: LoginGuard;
  server: ServerSettings;
  /** Storage lifecycle: cleanup policies, task definitions and runs, and the scheduler (started by `wharf serve`). */
  lifecycle: { policies: CleanupPolicies; tasks: TaskStore; scheduler: Scheduler };
  /** Webhooks (webhooks/): definitions and delivery log, and the dispatcher (started by `wharf serve`). */
  webhooks: { store: WebhookStore; dispatcher: WebhookDispatcher };
  /** The running server's connector listeners (set by `wharf serve`; absent in CLI commands): REST changes to
   *  repositories call sync() so connector ports open and close without a restart. */
  connectors?: { readonly tls: boolean; sync(): Promise<{ opened: number[]; closed: number[]; failed: { port: number; repository: string; reason: string }[] }> };
  /** Re-reads server settings and repositories from the database (after a reconcile). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export async function openWharf(settings: Settings, log: Logger = pino({ level: settings.logLevel, redact: LOG_REDACT })): Promise<Wharf> {
  const db = await openDatabase(settings.db);
  const blobStores = new BlobStores(settings.dataDir, log);
  const repositories = new Repositories(db);
  const roles = new Roles(db);
  const server: ServerSettings = { docker: {}, access: { anonymous: true }, realms: ['local', 'dockerToken'] };
  const users = new Users(db);
  const apiTokens = new ApiTokens(db);
  const signer = await Signer.open(db);
  const ldap = new LdapRealm(() => server.ldap, log);
  const audit = new Audit(db, join(settings.dataDir, 'log', 'audit.log'), log);
  const downloads = new DownloadRecorder(db);
  const wharf: Wharf = {
    settings, log, db, blobStores, repositories, roles, server, users, apiTokens, signer,
    authenticator: new Authenticator({ users, apiTokens, signer, ldap }, () => server.realms),
    access: new Authorizer(roles, () => server.access.anonymous),
    audit,
    downloads,
    loginGuard: new LoginGuard(new LoginThrottle(), audit, log),
    lifecycle: undefined as unknown as Wharf['lifecycle'], // set below: its parts need the finished object
    webhooks: undefined as unknown as Wharf['webhooks'], // set below: the dispatcher names this node as the scheduler does
    async reload() {
      const rows = await db.selectFrom('blob_stores').selectAll().execute();
      for (const row of rows) await blobStores.open({ name: row.name, type: row.type, ...JSON.parse(row.attributes) });
      await repositories.load();
      await roles.load();
      const kv = await db.selectFrom('kv').selectAll().where('key', '=', 'server').executeTakeFirst();
      if (kv) Object.assign(wharf.server, { ldap: undefined, ldapServer: undefined }, JSON.parse(kv.value)); // a deleted LDAP server is absent from the JSON
    },
    async close() {
      await wharf.lifecycle.scheduler.close(); // running tasks record their outcome while the database is open
      await wharf.webhooks.dispatcher.close(); // deliveries record their outcome while the database is open
      await ldap.close();
      await audit.close(); // the last events reach the database before it closes
      await downloads.flush();
      blobStores.close(); // usage recount timers
      await db.destroy();
    },
  };
  const tasks = new TaskStore(db, () => wharf);
  wharf.lifecycle = { policies: new CleanupPolicies(db, repositories), tasks, scheduler: new Scheduler(() => wharf, tasks, log.child({ component: 'tasks' })) };
  const webhookStore = new WebhookStore(db);
  wharf.webhooks = {
    store: webhookStore,
    dispatcher: new WebhookDispatcher(webhookStore, db, repositories, log.child({ component: 'webhooks' }), wharf.lifecycle.scheduler.node),
  };
  return wharf;
}
