// A throwaway PostgreSQL server for tests (Debian's postgresql package: initdb + pg_ctl into a temp dir,
// listening on 127.0.0.1 and a socket in that dir), and one fresh database per test server.
// `npm test` starts one server for the whole PostgreSQL run in test/global-setup.ts and hands its URL to
// the test workers in WHARF_TEST_PG_URL; startWharf (test/helpers/wharf.ts) asks testDatabaseUrl for a database.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { types } from '../../src/storage/postgres.js';
import { freePort } from './free-port.js';

export const PG_USER = 'wharf';

/** True when this test run targets PostgreSQL (`WHARF_TEST_DB=postgres`). */
export const onPostgres = process.env.WHARF_TEST_DB === 'postgres';

/** Directory of Debian's PostgreSQL programs (newest version), or of `initdb` on PATH; undefined when absent. */
export function postgresBinDir(): string | undefined {
  if (process.env.WHARF_TEST_PG_BIN) return process.env.WHARF_TEST_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length) return join(root, versions[0], 'bin');
  try {
    return join(execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim(), '..');
  } catch {
    return undefined;
  }
}

/** postgres refuses to run as root: as root, run it as the `postgres` user (Debian's package creates it) or `nobody`. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':'));
  const entry = passwd.find((f) => f[0] === 'postgres') ?? passwd.find((f) => f[0] === 'nobody');
  if (!entry) throw new Error('running as root and no postgres or nobody user to run PostgreSQL as');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

export interface PostgresServer {
  /** postgres://wharf@127.0.0.1:PORT/ (append a database name). */
  baseUrl: string;
  dir: string;
  /** Fast shutdown, then removes the data directory. Safe to call twice. */
  stop(): void;
}

/** initdb + pg_ctl start into a new temp dir; trust authentication on 127.0.0.1 only, durability off (tests). */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install postgresql (see scripts/test-deps.mjs)');
  const dir = mkdtempSync(join(tmpdir(), 'wharf-pg-'));
  const user = serverUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const run = (program: string, args: string[]) =>
    execFileSync(join(bin, program), args, { cwd: dir, uid: user?.uid, gid: user?.gid, stdio: 'pipe', env: { PATH: process.env.PATH, LANG: 'C' } });
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    run('initdb', ['-D', data, '-U', PG_USER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--locale-provider=icu', '--icu-locale=en-US', '--no-sync']);
    const options = [
      `-k ${dir}`, `-p ${port}`, '-h 127.0.0.1', '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off',
      '-c max_connections=400', '-c shared_buffers=32MB',
    ].join(' ');
    run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
  } catch (err) {
    const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : '';
    const output = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${output}\n${log}`);
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  process.once('exit', stop); // never leave a server behind when the runner exits early
  return { baseUrl: `postgres://${PG_USER}@127.0.0.1:${port}/`, dir, stop };
}

/** Creates an empty database on the server and returns its URL. */
export async function createDatabase(baseUrl: string, prefix = 'wharf'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: `${baseUrl}postgres` });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return `${baseUrl}${name}`;
}

/**
 * The WHARF_DB value for a test server on `dataDir`: on SQLite runs the default file (undefined), on
 * PostgreSQL runs a new database, remembered in the data directory so a server started again on the same
 * directory finds the same database.
 */
export async function testDatabaseUrl(dataDir: string): Promise<string | undefined> {
  if (!onPostgres) return undefined;
  const marker = join(dataDir, '.test-database-url');
  if (existsSync(marker)) return readFileSync(marker, 'utf8');
  const baseUrl = process.env.WHARF_TEST_PG_URL;
  if (!baseUrl) throw new Error('WHARF_TEST_DB=postgres but no test server: run through vitest (test/global-setup.ts starts it)');
  const url = await createDatabase(baseUrl);
  mkdirSync(dataDir, { recursive: true }); // the server would make it; the marker needs it first
  writeFileSync(marker, url);
  return url;
}

/**
 * Runs one SQL statement (`?` placeholders) on the database of a test server's data directory, whichever
 * engine the run uses, behind the server's back: for tests that check what is stored. Rows as objects,
 * 64-bit integers as numbers on both engines.
 */
export async function queryTestDatabase<T>(dataDir: string, text: string, ...params: unknown[]): Promise<T[]> {
  const marker = join(dataDir, '.test-database-url');
  if (!existsSync(marker)) {
    const db = new SqliteDatabase(join(dataDir, 'db', 'wharf.sqlite'), { readonly: true });
    try {
      return db.prepare(text).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  let n = 0;
  const client = new pg.Client({ connectionString: readFileSync(marker, 'utf8'), types });
  await client.connect();
  try {
    return (await client.query(text.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
  } finally {
    await client.end();
  }
}
