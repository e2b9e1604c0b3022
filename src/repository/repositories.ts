// The repositories of this server: configuration persisted in the database, held in memory for the hot path.
// Every change goes through here so the in-memory view and the database never disagree on this node.
import type { Db } from '../storage/database.js';
import type { RepositoryConfig } from './model.js';

export class Repositories {
  private byName = new Map<string, RepositoryConfig>();
  /** Counts this node's own changes, so a background refresh that read the table before one of them is dropped. */
  private changes = 0;

  constructor(private readonly db: Db) {}

  /** Reloads every repository from the database. */
  async load(): Promise<void> {
    this.byName = await this.read();
  }

  /**
   * Picks up changes other nodes made (see docs/decisions/scale-out.md). A read that overlapped a change made
   * here is discarded rather than applied: it might predate that change; the next refresh catches up.
   */
  async refresh(): Promise<void> {
    const before = this.changes;
    const fresh = await this.read();
    if (before !== this.changes) return;
    // Unchanged repositories keep their object: per-repository stores (and their in-flight downloads) hang on it.
    for (const [name, config] of fresh) {
      const held = this.byName.get(name);
      if (held && JSON.stringify(held) === JSON.stringify(config)) fresh.set(name, held);
    }
    this.byName = fresh;
  }

  private async read(): Promise<Map<string, RepositoryConfig>> {
    const rows = await this.db.selectFrom('repositories').select(['config']).execute();
    return new Map(rows.map((r) => {
      const config = JSON.parse(r.config) as RepositoryConfig;
      return [config.name, config];
    }));
  }

  get(name: string): RepositoryConfig | undefined {
    return this.byName.get(name);
  }

  list(format?: string): RepositoryConfig[] {
    const all = [...this.byName.values()];
    return (format ? all.filter((r) => r.format === format) : all).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Creates or replaces a repository; returns whether anything changed. */
  async put(config: RepositoryConfig): Promise<boolean> {
    const json = JSON.stringify(config);
    const existing = this.byName.get(config.name);
    if (existing && JSON.stringify(existing) === json) return false;
    const now = Date.now();
    await this.db.insertInto('repositories')
      .values({ name: config.name, format: config.format, type: config.type, config: json, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ format: config.format, type: config.type, config: json, updated_at: now }))
      .execute();
    this.changes++;
    this.byName.set(config.name, config);
    return true;
  }

  /** Removes a repository and all it records (its bytes are reclaimed by compaction). */
  async delete(name: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const ids = tx.selectFrom('assets').select('id').where('repository', '=', name);
      await tx.deleteFrom('asset_refs').where('asset_id', 'in', ids).execute();
      await tx.deleteFrom('assets').where('repository', '=', name).execute();
      await tx.deleteFrom('components').where('repository', '=', name).execute();
      await tx.deleteFrom('upload_sessions').where('repository', '=', name).execute();
      await tx.deleteFrom('repositories').where('name', '=', name).execute();
    });
    this.changes++;
    this.byName.delete(name);
  }
}
