// Makes the database match wharf.yaml: creates or updates what the file declares, keeps what it does not
// (objects made through the API stay) unless the file says `prune: true`, and provisions the default
// repositories on a new data directory. Every change is reported with its fields (the dry-run diff).
// Idempotent: a second run with the same file reports no change.
import { formats } from '../formats/index.js';
import type { RepositoryConfig } from '../repository/model.js';
import { verifyPassword } from '../security/passwords.js';
import type { Wharf, ServerSettings } from '../wharf.js';
import { diffFields, sameConfig, type FieldChange } from './diff.js';
import { blobStoreRemovalProblem, repositoryRemovalProblem } from './removal.js';
import type { WharfConfig } from './schema.js';
import { planLifecycle } from './lifecycle.js';
import { planWebhooks } from './webhooks.js';

export { exportConfig } from './export.js';

export interface Change {
  kind: 'blobStore' | 'repository' | 'setting' | 'role' | 'user' | 'cleanupPolicy' | 'task' | 'webhook';
  name: string;
  action: 'create' | 'update' | 'delete';
  /** What differs, field by field (updates; creates list the declared fields). Secrets are masked. */
  fields?: FieldChange[];
}

/** The configuration asks for something that cannot be done (e.g. prune a blob store a repository uses). */
export class ReconcileError extends Error {}

const DEFAULT_STORE = { name: 'default', type: 'file', path: 'blobs/default' };

/** The audit domain of each kind of change. */
const AUDIT_DOMAIN: Record<Change['kind'], string> = {
  blobStore: 'blobstore', repository: 'repository', setting: 'settings', role: 'security.role', user: 'security.user',
  cleanupPolicy: 'settings', task: 'tasks', webhook: 'webhook',
};

/** Users prune never deletes: the built-in administrator keeps a way in. */
const KEEP_USERS = new Set(['admin']);

type Plan = { changes: Change[]; apply: (() => Promise<void>)[] };

function change(plan: Plan, c: Change, apply?: () => Promise<unknown>): void {
  plan.changes.push(c);
  if (apply) plan.apply.push(async () => void (await apply()));
}

const created = (kind: Change['kind'], name: string, value: unknown): Change => ({ kind, name, action: 'create', fields: diffFields(undefined, value) });

/** Applies `config` (already checked by load.ts); with dryRun, only reports. Returns the changes, which are
 *  audited as made by `by` ('system' at start, 'cli' for `wharf config apply`). Throws ReconcileError, before
 *  changing anything, when the file asks for the impossible. */
export async function reconcile(wharf: Wharf, config: WharfConfig, dryRun = false, by = 'system'): Promise<Change[]> {
  const plan: Plan = { changes: [], apply: [] };
  const { db } = wharf;
  const prune = config.prune === true;

  // Blob stores (a declared "default" replaces the built-in one).
  const declaredStores = new Map([DEFAULT_STORE, ...(config.blobStores ?? [])].map((s) => [s.name, s]));
  const storeRows = await db.selectFrom('blob_stores').selectAll().execute();
  for (const store of declaredStores.values()) {
    const { name, type, ...rest } = store;
    const row = storeRows.find((r) => r.name === name);
    const before = row && { type: row.type, ...JSON.parse(row.attributes) };
    if (before && sameConfig(before, { type, ...rest })) continue;
    change(plan, { kind: 'blobStore', name, action: row ? 'update' : 'create', fields: diffFields(before, { type, ...rest }) }, async () => {
      const attributes = JSON.stringify(rest);
      await db.insertInto('blob_stores').values({ name, type, attributes })
        .onConflict((oc) => oc.column('name').doUpdateSet({ type, attributes })).execute();
      await wharf.blobStores.open({ name, type, ...rest });
    });
  }

  // Repositories.
  const provisioned = await db.selectFrom('kv').select('value').where('key', '=', 'provisioned').executeTakeFirst();
  let repos = (config.repositories ?? []) as RepositoryConfig[];
  const server: ServerSettings = structuredClone(wharf.server);
  if (!provisioned && !repos.length) {
    repos = Object.values(formats).flatMap((f) => f.defaults?.('default') ?? []);
    server.docker.defaultRepository ??= repos.find((r) => r.format === 'docker' && r.type === 'group')?.name
      ?? repos.find((r) => r.format === 'docker')?.name;
  }
  for (const repo of repos) {
    const existing = wharf.repositories.get(repo.name);
    if (existing && sameConfig(existing, repo)) continue;
    change(plan, existing ? { kind: 'repository', name: repo.name, action: 'update', fields: diffFields(existing, repo) } : created('repository', repo.name, repo),
      () => wharf.repositories.put(repo));
  }

  // Server settings.
  if (config.docker?.defaultRepository !== undefined) server.docker.defaultRepository = config.docker.defaultRepository;
  if (config.security?.anonymous) server.access.anonymous = config.security.anonymous.enabled;
  if (config.security?.realms) server.realms = [...config.security.realms];
  if (config.security?.ldap) server.ldap = { ...config.security.ldap };
  const settingsChanged = !sameConfig(server, wharf.server);
  if (settingsChanged) change(plan, { kind: 'setting', name: 'server', action: 'update', fields: diffFields(wharf.server, server) });

  // Roles and users.
  for (const role of config.security?.roles ?? []) {
    const desired = { id: role.id, name: role.name ?? role.id, description: role.description ?? '', privileges: role.privileges, roles: role.roles, source: 'default', readOnly: false };
    const existing = wharf.roles.get(role.id);
    if (existing && sameConfig(existing, desired)) continue;
    change(plan, existing ? { kind: 'role', name: role.id, action: 'update', fields: diffFields(existing, desired) } : created('role', role.id, desired),
      () => wharf.roles.put(desired));
  }
  for (const user of config.security?.users ?? []) await planUser(wharf, plan, user);

  // Cleanup policies and tasks (applied after repositories and blob stores, which tasks may name).
  await planLifecycle(wharf, config as Parameters<typeof planLifecycle>[1], (c, apply) => change(plan, c, apply));

  // Webhooks (after repositories, which they may name); they prune their own.
  await planWebhooks(wharf, config, prune, (c, apply) => change(plan, c, apply));

  if (prune) await planPrune(wharf, config, plan, repos, server);

  if (dryRun) return plan.changes;
  for (const apply of plan.apply) await apply();
  if (settingsChanged || !provisioned) {
    await db.transaction().execute(async (tx) => {
      for (const [key, value] of [['server', JSON.stringify(server)], ['provisioned', String(Date.now())]]) {
        await tx.insertInto('kv').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
      }
    });
    Object.assign(wharf.server, server);
  }
  for (const c of plan.changes) {
    const repo = c.kind === 'repository' ? wharf.repositories.get(c.name) : undefined;
    wharf.audit.record({
      userId: by, domain: AUDIT_DOMAIN[c.kind], type: c.action, object: c.name, repository: c.kind === 'repository' ? c.name : undefined,
      attributes: { source: 'configuration', ...(repo && { format: repo.format, type: repo.type }), ...(c.fields && { fields: c.fields.map((f) => f.path) }) },
    });
  }
  return plan.changes;
}

type ConfigUser = NonNullable<NonNullable<WharfConfig['security']>['users']>[number];

/** A user's change: details compared field by field, the password by verifying it against the stored hash. */
async function planUser(wharf: Wharf, plan: Plan, user: ConfigUser): Promise<void> {
  const { password, passwordHash, ...details } = user;
  const desired = {
    firstName: details.firstName ?? details.userId, lastName: details.lastName ?? '', emailAddress: details.emailAddress ?? '',
    status: details.status ?? 'active', roles: details.roles,
  };
  const existing = await wharf.users.find(user.userId);
  const hash = existing && (await wharf.users.passwordHash(user.userId));
  const before = existing && { firstName: existing.firstName, lastName: existing.lastName, emailAddress: existing.emailAddress, status: existing.status, roles: existing.roles, source: existing.source };
  const fields = diffFields(before, { ...desired, source: 'default' });
  const passwordSame = hash !== undefined && (passwordHash !== undefined ? passwordHash === hash : await verifyPassword(password!, hash));
  if (existing && !fields.length && passwordSame) return;
  if (!passwordSame) fields.push({ path: 'password', ...(existing && { from: '***' }), to: '***' });
  change(plan, { kind: 'user', name: user.userId, action: existing ? 'update' : 'create', fields },
    () => (passwordHash !== undefined ? wharf.users.putHashed(details, passwordHash) : wharf.users.put({ ...details, password: password! })));
}

/** Deletes what the file's declared kinds do not list. Throws ReconcileError when that would break what stays. */
async function planPrune(wharf: Wharf, config: WharfConfig, plan: Plan, repos: RepositoryConfig[], server: ServerSettings): Promise<void> {
  const remainingRepos = new Map(wharf.repositories.list().map((r) => [r.name, r]));
  for (const r of repos) remainingRepos.set(r.name, r);
  if (config.repositories) {
    const declared = new Set(repos.map((r) => r.name));
    const gone = new Set([...remainingRepos.keys()].filter((n) => !declared.has(n)));
    const problem = repositoryRemovalProblem([...remainingRepos.values()], gone, server);
    if (problem) throw new ReconcileError(`prune: ${problem}`);
    for (const name of gone) {
      remainingRepos.delete(name);
      change(plan, { kind: 'repository', name, action: 'delete' }, () => wharf.repositories.delete(name));
    }
  }
  if (config.blobStores) {
    const declared = new Set(['default', ...config.blobStores.map((s) => s.name)]);
    const rows = await wharf.db.selectFrom('blob_stores').select('name').execute();
    const gone = new Set(rows.map((r) => r.name).filter((n) => !declared.has(n)));
    const problem = blobStoreRemovalProblem([...remainingRepos.values()], gone);
    if (problem) throw new ReconcileError(`prune: ${problem}`);
    for (const name of gone) {
      change(plan, { kind: 'blobStore', name, action: 'delete' }, async () => {
        await wharf.db.deleteFrom('blob_stores').where('name', '=', name).execute();
        wharf.blobStores.forget(name);
      });
    }
  }
  if (config.security?.roles) {
    const declared = new Set(config.security.roles.map((r) => r.id));
    for (const role of wharf.roles.list().filter((r) => !r.readOnly && !declared.has(r.id))) {
      change(plan, { kind: 'role', name: role.id, action: 'delete' }, () => wharf.roles.delete(role.id));
    }
  }
  if (config.security?.users) {
    const declared = new Set(config.security.users.map((u) => u.userId));
    for (const user of await wharf.users.list({ source: 'default' })) {
      if (declared.has(user.userId) || KEEP_USERS.has(user.userId)) continue;
      change(plan, { kind: 'user', name: user.userId, action: 'delete' }, async () => {
        for (const token of await wharf.apiTokens.list(user.userId)) await wharf.apiTokens.revoke(token.id);
        await wharf.users.delete(user.userId);
      });
    }
  }
}
