// Vitest global setup: on a PostgreSQL run (WHARF_TEST_DB=postgres) starts one throwaway PostgreSQL server
// for every test file; the workers, started after this, find it in WHARF_TEST_PG_URL and each test server
// gets its own database there (test/helpers/postgres.ts). Nothing to do on SQLite runs.
import { onPostgres, startPostgres } from './helpers/postgres.js';

export default async function setup(): Promise<(() => void) | undefined> {
  if (!onPostgres || process.env.WHARF_TEST_PG_URL) return undefined; // a server given from outside is used as is
  const server = await startPostgres();
  process.env.WHARF_TEST_PG_URL = server.baseUrl;
  return () => server.stop();
}
