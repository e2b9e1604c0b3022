import { describe, expect, it } from 'vitest';
import { DEFAULT_POOL_SIZE, DEFAULT_STATEMENT_TIMEOUT_MS, parsePostgresUrl } from './postgres.js';
import { describeDatabase } from './database.js';

describe('WHARF_DB PostgreSQL URLs', () => {
  it('takes pool_size and statement_timeout out and leaves every other parameter to pg', () => {
    expect(parsePostgresUrl('postgres://u:p@db.example:5433/wharf?sslmode=require&pool_size=25&statement_timeout=5000')).toEqual({
      connectionString: 'postgres://u:p@db.example:5433/wharf?sslmode=require', poolSize: 25, statementTimeoutMs: 5000,
    });
  });

  it('defaults to a pool of 10 and a 60 s statement timeout', () => {
    expect(parsePostgresUrl('postgresql://db/wharf')).toEqual({
      connectionString: 'postgresql://db/wharf', poolSize: DEFAULT_POOL_SIZE, statementTimeoutMs: DEFAULT_STATEMENT_TIMEOUT_MS,
    });
    expect(DEFAULT_POOL_SIZE).toBe(10);
  });

  it('refuses a pool size that is not a positive integer', () => {
    expect(() => parsePostgresUrl('postgres://db/wharf?pool_size=0')).toThrow(/pool_size must be an integer >= 1/);
    expect(() => parsePostgresUrl('postgres://db/wharf?pool_size=ten')).toThrow(/pool_size/);
  });

  it('never shows the password in messages', () => {
    expect(describeDatabase('postgres://wharf:s3cret@db/wharf')).toBe('postgres://wharf:***@db/wharf');
    expect(describeDatabase('/data/db/wharf.sqlite')).toBe('/data/db/wharf.sqlite');
  });
});
