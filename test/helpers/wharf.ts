// Starts real Wharf servers for tests: in-process (fast, same code path as `wharf serve`) on a fresh data
// directory and a free port, with an admin password known to the test.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSettings } from '../../src/config/settings.js';
import { startServer, type Running } from '../../src/cli/serve.js';

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

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  /** wharf.yaml content. */
  config?: string;
  dataDir?: string;
  env?: Record<string, string>;
}

export async function startWharf(options: StartOptions = {}): Promise<TestWharf> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'wharf-test-'));
  if (options.config !== undefined) writeFileSync(join(dataDir, 'wharf.yaml'), options.config);
  const port = await freePort();
  const env = {
    WHARF_DATA: dataDir, WHARF_HOST: '127.0.0.1', WHARF_PORT: String(port),
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
