// Starts real Wharf servers for tests: in-process (fast, same code path as `wharf serve`) on a fresh data
// directory and a free port, with an admin password known to the test; on the SQLite file of that directory,
// or, when the run targets PostgreSQL (WHARF_TEST_DB=postgres), on a database of its own on the test server.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSettings } from '../../src/config/settings.js';
import { startServer, type Running } from '../../src/cli/serve.js';
import { freePort } from './free-port.js';
import { testDatabaseUrl } from './postgres.js';

export { freePort };

export const ADMIN_PASSWORD = 'admin-test-password';

export interface TestWharf {
  url: string;
  /** host:port, as container clients write it. */
  host: string;
  port: number;
  dataDir: string;
  running: Running;
  /** Stops and starts the server again on the same data directory and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A wharf.yaml `blobStores:` section added to every configuration startWharf writes in this test file (each
 * test file has its own copy of this module). A file that re-runs other files' tests on another kind of blob
 * store sets it, e.g. to redefine `default` as an S3 store (test/storage/s3-docker.test.ts).
 */
export const testBlobStores: { yaml?: () => string } = {};

function withTestBlobStores(config: string | undefined, fresh: boolean): string | undefined {
  if (!testBlobStores.yaml || /^blobStores:/m.test(config ?? '') || (config === undefined && !fresh)) return config;
  return `${config ?? ''}\n${testBlobStores.yaml()}\n`;
}

export interface StartOptions {
  /** wharf.yaml content. */
  config?: string;
  dataDir?: string;
  env?: Record<string, string>;
}

export async function startWharf(options: StartOptions = {}): Promise<TestWharf> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'wharf-test-'));
  const config = withTestBlobStores(options.config, options.dataDir === undefined);
  if (config !== undefined) writeFileSync(join(dataDir, 'wharf.yaml'), config);
  const port = await freePort();
  const db = options.env?.WHARF_DB ?? (await testDatabaseUrl(dataDir)); // PostgreSQL runs: a database per data directory
  const env = {
    ...(db ? { WHARF_DB: db } : {}), WHARF_DATA: dataDir, WHARF_HOST: '127.0.0.1', WHARF_PORT: String(port),
    WHARF_ADMIN_PASSWORD: ADMIN_PASSWORD, WHARF_LOG_LEVEL: process.env.WHARF_LOG_LEVEL ?? 'warn', ...options.env,
  };
  const settings = () => readSettings(env);
  const t: TestWharf = {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    dataDir,
    running: await startServer(settings()),
    async restart() {
      await t.running.close();
      t.running = await startServer(settings());
    },
    async stop() {
      await t.running.close();
    },
  };
  return t;
}

/** `Authorization` header value for the admin user. */
export const adminAuth = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
