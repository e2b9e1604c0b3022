// Opens the database named by the settings (SQLite file today; the Kysely dialect is the only thing a
// PostgreSQL URL will change) and migrates it forward. Callers see only Kysely<Database>.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteAdapter, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations.js';

export type Db = Kysely<Database>;

/** SQLite runs DDL inside transactions; telling Kysely so makes each migration all-or-nothing. */
class TransactionalSqliteDialect extends SqliteDialect {
  override createAdapter() {
    return new (class extends SqliteAdapter {
      override get supportsTransactionalDdl() {
        return true;
      }
    })();
  }
}

/**
 * Kysely prepares every query anew; preparing costs more than running a small query, so keep prepared
 * statements by SQL text (bounded). Safe because the driver runs one query at a time and we never stream.
 */
function cacheStatements(sqlite: SqliteDatabase.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, SqliteDatabase.Statement>();
  sqlite.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      if (cache.size >= 1000) cache.clear();
      statement = prepare(source);
      cache.set(source, statement);
    }
    return statement;
  }) as typeof sqlite.prepare;
}

/** Opens and migrates the database. Throws with the failing migration's name; a failed migration is rolled back. */
export async function openDatabase(url: string): Promise<Db> {
  if (/^postgres(ql)?:\/\//.test(url)) throw new Error('WHARF_DB: PostgreSQL is not supported yet by this build');
  mkdirSync(dirname(url), { recursive: true });
  const sqlite = new SqliteDatabase(url);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL'); // a push is acknowledged only once its rows are durable
  sqlite.pragma('busy_timeout = 5000'); // CLI commands may share the file with a running server
  sqlite.pragma('foreign_keys = ON');
  cacheStatements(sqlite);
  const db = new Kysely<Database>({ dialect: new TransactionalSqliteDialect({ database: sqlite }) });
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    await db.destroy();
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`);
  }
  return db;
}
