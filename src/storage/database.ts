// Opens the database named by the settings (a SQLite file, or PostgreSQL for a postgres:// URL) and
// migrates it forward. Callers see only Kysely<Database>; the dialect is chosen here and nowhere else.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresAdapter, SqliteAdapter, SqliteDialect, type Dialect } from 'kysely';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations.js';
import { isPostgresUrl, postgresConfig } from './postgres.js';

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

function sqliteDialect(file: string): Dialect {
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL'); // a push is acknowledged only once its rows are durable
  sqlite.pragma('busy_timeout = 5000'); // CLI commands may share the file with a running server
  sqlite.pragma('foreign_keys = ON');
  // LIKE is case-sensitive, as on PostgreSQL; case-insensitive matching is written lower(x) like lower(y).
  sqlite.pragma('case_sensitive_like = ON');
  cacheStatements(sqlite);
  return new TransactionalSqliteDialect({ database: sqlite });
}

/** True when `db` talks to PostgreSQL: for the rare query that must be written differently per dialect. */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Opens and migrates the database: `url` is a SQLite file path or a postgres:// URL. Throws with the
 * failing migration's name; a failed migration is rolled back (both engines run DDL in transactions).
 * Several processes may open the same PostgreSQL database at once: Kysely's migration lock serializes them.
 */
export async function openDatabase(url: string): Promise<Db> {
  const db = new Kysely<Database>(isPostgresUrl(url) ? postgresConfig(url) : { dialect: sqliteDialect(url) });
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    await db.destroy();
    const message = (error as Error).message ?? String(error);
    const failed = results?.find((r) => r.status === 'Error');
    // No failed migration: the database could not be reached or the migration table not read.
    throw new Error(failed ? `database migration ${failed.migrationName} failed: ${message}` : `database ${describeDatabase(url)}: ${message}`);
  }
  return db;
}

/** The database URL without its password, for messages. */
export function describeDatabase(url: string): string {
  if (!isPostgresUrl(url)) return url;
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
