import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';

describe('database migrations', () => {
  it('migrates a new database and reopens it without change', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'db-')), 'wharf.sqlite');
    await (await openDatabase(file)).destroy();
    const db = await openDatabase(file);
    const names = (await db.selectFrom('kysely_migration' as never).select('name' as never).execute()) as { name: string }[];
    expect(names.map((n) => n.name)).toContain('0001-core');
    await db.destroy();
  });

  it('leaves the database untouched when a migration fails', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'db-')), 'wharf.sqlite');
    // Re-running 0002 on this database creates roles, then fails adding a column that exists: midway.
    await (await openDatabase(file)).destroy();
    const raw = new SqliteDatabase(file);
    raw.exec("DELETE FROM kysely_migration WHERE name = '0002-security'; DROP TABLE roles;");
    const before = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    raw.close();
    await expect(openDatabase(file)).rejects.toThrow(/0002-security/);
    const after = new SqliteDatabase(file);
    expect(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all()).toEqual(before);
    after.close();
  });
});
