// Runs `wharf serve` as a real child process (the built CLI, bin/wharf.js -> dist/), so a test can kill it
// with SIGKILL at any instant and start it again on the same data directory and port.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, freePort } from './wharf.js';
import { testDatabaseUrl } from './postgres.js';

export interface WharfProcess {
  url: string;
  host: string;
  port: number;
  dataDir: string;
  /** pid of the running server, undefined while stopped. */
  readonly pid: number | undefined;
  /** Starts the server (again) and waits until /service/rest/v1/status answers 200. */
  start(): Promise<void>;
  /** SIGKILL: no shutdown hook runs, buffers are lost, exactly like a power cut for the process. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** Everything the process wrote to stderr and stdout (for failure messages). */
  output(): string;
}

export async function spawnWharf(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<WharfProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'wharf-proc-'));
  const port = await freePort();
  const db = options.env?.WHARF_DB ?? (await testDatabaseUrl(dataDir)); // PostgreSQL runs: a database of its own
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let log = '';

  const waitReady = async () => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`wharf exited with ${child?.exitCode} before it was ready:\n${log.slice(-4000)}`);
      const ok = await fetch(`${url}/service/rest/v1/status`).then((r) => r.status === 200, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`wharf did not become ready in 30 s:\n${log.slice(-4000)}`);
  };

  const p: WharfProcess = {
    url, host: `127.0.0.1:${port}`, port, dataDir,
    get pid() {
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    async start() {
      if (p.pid) throw new Error('wharf is already running');
      child = spawn(process.execPath, ['bin/wharf.js', 'serve'], {
        cwd: process.cwd(),
        env: {
          ...process.env, ...(db ? { WHARF_DB: db } : {}), WHARF_DATA: dataDir, WHARF_HOST: '127.0.0.1', WHARF_PORT: String(port),
          WHARF_ADMIN_PASSWORD: ADMIN_PASSWORD, WHARF_LOG_LEVEL: 'warn', ...options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const c = child;
      c.stdout!.on('data', (d: Buffer) => { log += d.toString(); });
      c.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
      exited = new Promise((resolve) => c.once('exit', () => resolve()));
      await waitReady();
    },
    async kill9() {
      if (!p.pid) return;
      child!.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!p.pid) return;
      child!.kill('SIGTERM');
      await exited;
    },
    output: () => log,
  };
  return p;
}
