// Debian's reference registry (Distribution, /usr/bin/docker-registry) as a real upstream for proxy tests:
// started on a free loopback port, optionally behind htpasswd basic auth, with its access log captured so
// tests can count the requests it really received.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './images.js';
import { freePort } from './wharf.js';

export interface Distribution {
  url: string;
  host: string;
  /** Access-log lines seen so far ("GET /v2/... HTTP/1.1" 200 ...). */
  requests(): string[];
  /** How many requests matched method and path prefix. */
  count(method: string, pathPrefix: string): number;
  stop(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

export async function startDistribution(options: { user?: string; password?: string } = {}): Promise<Distribution> {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-distribution-'));
  const port = await freePort();
  let auth = '';
  if (options.user) {
    const { stdout } = await run('htpasswd', ['-Bbn', options.user, options.password ?? '']);
    writeFileSync(join(dir, 'htpasswd'), stdout);
    auth = `auth:\n  htpasswd:\n    realm: upstream\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  writeFileSync(join(dir, 'config.yml'), `version: 0.1
log:
  level: error
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
${auth}`);
  const lines: string[] = [];
  let child: ChildProcess | undefined;
  const url = `http://127.0.0.1:${port}`;
  const d: Distribution = {
    url,
    host: `127.0.0.1:${port}`,
    requests: () => lines,
    count: (method, prefix) => lines.filter((l) => l.includes(`"${method} ${prefix}`)).length,
    async start() {
      child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
      const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter((l) => l.includes('HTTP/')));
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      for (let i = 0; i < 100; i++) {
        const ok = await fetch(`${url}/v2/`).then((r) => r.status < 500, () => false);
        if (ok) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('docker-registry did not start');
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    async remove() {
      await d.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await d.start();
  return d;
}
