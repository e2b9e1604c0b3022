// The database a server runs on is the one WHARF_DB names: on PostgreSQL runs every test server has its own
// database on the test server and no SQLite file; otherwise the SQLite file under $WHARF_DATA/db/.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { onPostgres } from '../helpers/postgres.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';

const servers: TestWharf[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe(`WHARF_DB on ${onPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('keeps users, repositories and a restart in the database WHARF_DB names', async () => {
    const server = await startWharf();
    servers.push(server);
    await server.restart();
    expect((await fetch(`${server.url}/service/rest/v1/status`)).status).toBe(200);
    const sqliteFile = join(server.dataDir, 'db', 'wharf.sqlite');
    if (!onPostgres) {
      expect(existsSync(sqliteFile)).toBe(true);
      return;
    }
    expect(existsSync(sqliteFile)).toBe(false);
    const client = new pg.Client({ connectionString: readFileSync(join(server.dataDir, '.test-database-url'), 'utf8') });
    await client.connect();
    try {
      expect((await client.query("SELECT user_id FROM users WHERE user_id = 'admin'")).rows).toEqual([{ user_id: 'admin' }]);
      expect((await client.query('SELECT count(*)::int AS n FROM repositories')).rows[0].n).toBeGreaterThan(0);
      // The pool the server holds: at most pool_size connections named wharf.
      const sessions = await client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'wharf' AND datname = current_database()");
      expect(sessions.rows[0].n).toBeGreaterThan(0);
      expect(sessions.rows[0].n).toBeLessThanOrEqual(10);
    } finally {
      await client.end();
    }
  });
});
