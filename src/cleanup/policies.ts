// Cleanup policies in the database: list, read, create or replace, delete. Callers validate with checkPolicy.
import { ConflictError, NotFoundError } from '../repository/errors.js';
import type { Repositories } from '../repository/repositories.js';
import type { Db } from '../storage/database.js';
import type { CleanupPolicy } from './policy.js';

export class CleanupPolicies {
  constructor(private readonly db: Db, private readonly repositories: Repositories) {}

  /** Every policy, by name. */
  async list(): Promise<CleanupPolicy[]> {
    const rows = await this.db.selectFrom('cleanup_policies').selectAll().orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, format: r.format, notes: r.notes, criteria: JSON.parse(r.criteria) }));
  }

  /** The named policy; throws NotFoundError. */
  async get(name: string): Promise<CleanupPolicy> {
    const row = await this.db.selectFrom('cleanup_policies').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) throw new NotFoundError('asset', `no cleanup policy named ${name}`);
    return { name: row.name, format: row.format, notes: row.notes, criteria: JSON.parse(row.criteria) };
  }

  /** Creates or replaces a policy; returns whether anything changed. */
  async put(policy: CleanupPolicy): Promise<boolean> {
    const now = Date.now();
    const values = { format: policy.format, notes: policy.notes, criteria: JSON.stringify(policy.criteria) };
    const row = await this.db.selectFrom('cleanup_policies').selectAll().where('name', '=', policy.name).executeTakeFirst();
    if (row && row.format === values.format && row.notes === values.notes && row.criteria === values.criteria) return false;
    await this.db.insertInto('cleanup_policies').values({ name: policy.name, ...values, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ ...values, updated_at: now })).execute();
    return true;
  }

  /** Deletes a policy; throws NotFoundError, or ConflictError while a repository still names it. */
  async delete(name: string): Promise<void> {
    await this.get(name);
    const users = this.repositories.list().filter((r) => r.cleanup?.policyNames?.includes(name)).map((r) => r.name);
    if (users.length) throw new ConflictError(`cleanup policy ${name} is used by ${users.join(', ')}`);
    await this.db.deleteFrom('cleanup_policies').where('name', '=', name).execute();
  }
}
