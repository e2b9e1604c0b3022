// Migrations and the dialect differences, on the engine of this run: SQLite, or PostgreSQL when
// WHARF_TEST_DB=postgres (the test server of test/global-setup.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { onPostgres, testDatabaseUrl } from '../../test/helpers/postgres.js';
import { openDatabase } from './database.js';

/** Raw access to a database behind Wharf's back, to set up states Wharf itself never makes. */
interface Raw {
  url: string;
  exec(statements: string): Promise<void>;
  tables(): Promise<string[]>;
}

async function newDatabase(): Promise<Raw> {
  const dir = mkdtempSync(join(tmpdir(), 'db-'));
  const pgUrl = await testDatabaseUrl(dir);
  if (pgUrl) {
    const query = async (text: string) => {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      try {
        return (await client.query(text)).rows as { name: string }[];
      } finally {
        await client.end();
      }
    };
    return {
      url: pgUrl,
      exec: async (statements) => void (await query(statements)),
      tables: async () => (await query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")).map((r) => r.name),
    };
  }
  const file = join(dir, 'db', 'wharf.sqlite');
  const raw = <T>(fn: (db: SqliteDatabase.Database) => T) => {
    const db = new SqliteDatabase(file);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    url: file,
    exec: async (statements) => raw((db) => void db.exec(statements)),
    tables: async () => raw((db) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name),
  };
}

describe('database migrations', () => {
  it('migrates a new database and reopens it without change', async () => {
    const raw = await newDatabase();
    await (await openDatabase(raw.url)).destroy();
    const tables = await raw.tables();
    const db = await openDatabase(raw.url);
    const names = (await db.selectFrom('kysely_migration' as never).select('name' as never).execute()) as { name: string }[];
    expect(names.map((n) => n.name)).toContain('0001-core');
    expect(await raw.tables()).toEqual(tables);
    await db.destroy();
  });

  it('leaves the database untouched when a migration fails', async () => {
    const raw = await newDatabase();
    // Re-running 0002 on this database creates roles, then fails adding a column that exists: midway.
    await (await openDatabase(raw.url)).destroy();
    await raw.exec("DELETE FROM kysely_migration WHERE name = '0002-security'; DROP TABLE roles;");
    const before = await raw.tables();
    await expect(openDatabase(raw.url)).rejects.toThrow(/0002-security/);
    expect(await raw.tables()).toEqual(before);
  });

  // Several nodes starting together on one new database: Kysely's advisory lock serializes their migrations.
  // (SQLite has one writer per file; its processes wait on busy_timeout, which connections of one test
  // process cannot do for each other.)
  it.skipIf(!onPostgres)('lets several nodes migrate the same new PostgreSQL database at once', async () => {
    const raw = await newDatabase();
    const dbs = await Promise.all([openDatabase(raw.url), openDatabase(raw.url), openDatabase(raw.url)]);
    await Promise.all(dbs.map((db) => db.destroy()));
    expect(await raw.tables()).toContain('assets');
  });
});

describe('queries that differ between SQLite and PostgreSQL', () => {
  it('returns 64-bit sizes, counts and sums as numbers, and generated ids', async () => {
    const db = await openDatabase((await newDatabase()).url);
    const size = 2 ** 40 + 1; // beyond 32 bits: a large layer
    const row = { repository: 'r', kind: 'k', name: '', component_id: null, sha256: null, size, content_type: 'x', attributes: '{}', created_at: Date.now(), updated_at: Date.now(), last_downloaded_at: null };
    const first = await db.insertInto('assets').values({ ...row, path: 'a' }).returning('id').executeTakeFirstOrThrow();
    const second = await db.insertInto('assets').values({ ...row, path: 'b' }).returning('id').executeTakeFirstOrThrow();
    expect(second.id).toBeGreaterThan(first.id);
    expect((await db.selectFrom('assets').select('size').where('id', '=', first.id).executeTakeFirstOrThrow()).size).toBe(size);
    const totals = await db.selectFrom('assets').select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('size').as('bytes')]).executeTakeFirstOrThrow();
    expect(totals).toEqual({ count: 2, bytes: 2 * size });
    await db.destroy();
  });

  it('runs transactions one at a time, as check-then-write code expects', async () => {
    const db = await openDatabase((await newDatabase()).url);
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let began!: () => void;
    const first = new Promise<void>((resolve) => (began = resolve));
    const a = db.transaction().execute(async (tx) => {
      order.push('a begins');
      began();
      await held;
      await tx.insertInto('kv').values({ key: 'a', value: '1' }).execute();
      order.push('a commits');
    });
    await first;
    const b = db.transaction().execute(async (tx) => {
      order.push('b begins');
      order.push(`b sees ${(await tx.selectFrom('kv').select('key').execute()).map((r) => r.key).join()}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    order.push('released');
    release();
    await Promise.all([a, b]);
    expect(order).toEqual(['a begins', 'released', 'a commits', 'b begins', 'b sees a']);
    await db.destroy();
  });

  it('finds nothing for a value with a NUL byte (request input), instead of failing on PostgreSQL', async () => {
    const db = await openDatabase((await newDatabase()).url);
    await db.insertInto('kv').values({ key: 'alice', value: '' }).execute();
    expect(await db.selectFrom('kv').selectAll().where('key', '=', 'alice\0').execute()).toEqual([]);
    expect(await db.selectFrom('kv').selectAll().where('key', 'in', ['alice\0', 'x\0']).execute()).toEqual([]);
    expect(await db.selectFrom('kv').selectAll().where(sql<boolean>`key like ${'ali\0%'}`).execute()).toEqual([]);
    await db.destroy();
  });

  it('matches LIKE case-sensitively on both engines, and lower() like lower() without case', async () => {
    const db = await openDatabase((await newDatabase()).url);
    await db.insertInto('kv').values([{ key: 'Team/App', value: '' }, { key: 'team/app', value: '' }]).execute();
    const keys = async (where: ReturnType<typeof sql<boolean>>) => (await db.selectFrom('kv').select('key').where(where).orderBy('key').execute()).map((r) => r.key);
    expect(await keys(sql<boolean>`key like ${'team/%'}`)).toEqual(['team/app']);
    expect(await keys(sql<boolean>`lower(key) like lower(${'TEAM/%'})`)).toEqual(['Team/App', 'team/app']);
    await db.destroy();
  });

  it('upserts with ON CONFLICT on both engines', async () => {
    const db = await openDatabase((await newDatabase()).url);
    for (const value of ['one', 'two']) await db.insertInto('kv').values({ key: 'k', value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
    await db.insertInto('kv').values({ key: 'k', value: 'three' }).onConflict((oc) => oc.column('key').doNothing()).execute();
    expect(await db.selectFrom('kv').selectAll().execute()).toEqual([{ key: 'k', value: 'two' }]);
    await db.destroy();
  });
});

describe('text order', () => {
  it('sorts and compares names byte-wise on both engines, whatever the database locale', async () => {
    const db = await openDatabase((await newDatabase()).url);
    const keys = ['b', 'B', 'a-1', 'a', 'A', 'a_1', 'é', 'Z'];
    await db.insertInto('kv').values(keys.map((key) => ({ key, value: '' }))).execute();
    const sorted = (await db.selectFrom('kv').select('key').orderBy('key').execute()).map((r) => r.key);
    expect(sorted).toEqual([...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    expect((await db.selectFrom('kv').select('key').where('key', '>', 'a').orderBy('key').execute()).map((r) => r.key)).toEqual(['a-1', 'a_1', 'b', 'é']);
    await db.destroy();
  });
});
