// Helpers of the raw tests: wharf.yaml for raw repositories, and the real clients (curl, wget) run as child
// processes with their exit code, output and the HTTP status they saw.
import { execFile } from 'node:child_process';
import { ADMIN_PASSWORD, type TestWharf } from '../helpers/wharf.js';

export interface RawRepo {
  name: string;
  type?: 'hosted' | 'proxy' | 'group';
  /** YAML lines below the entry (already indented by the caller's choice of two spaces). */
  extra?: string;
}

/** wharf.yaml declaring raw repositories (plus `extra` top-level YAML). */
export function rawConfig(repos: RawRepo[], extra = ''): string {
  const entries = repos.map((r) => [
    `  - name: ${r.name}`,
    '    format: raw',
    `    type: ${r.type ?? 'hosted'}`,
    ...(r.extra ? r.extra.trim().split('\n').map((l) => `    ${l}`) : []),
  ].join('\n'));
  return `repositories:\n${entries.join('\n')}\n${extra}`;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (never throws on a non-zero exit). */
export function run(program: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
    });
  });
}

export const ADMIN = `admin:${ADMIN_PASSWORD}`;

/** curl with -s and the status code printed last on stdout; returns the status and the rest of stdout. */
export async function curl(args: string[], options: { cwd?: string } = {}): Promise<{ status: number; body: string; stderr: string }> {
  const r = await run('curl', ['-s', '-S', '-w', '\n%{http_code}', ...args], options);
  const cut = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(cut + 1)), body: r.stdout.slice(0, cut), stderr: r.stderr };
}

/** The URL of a path in a repository. */
export function rawUrl(t: TestWharf, repo: string, path: string): string {
  return `${t.url}/repository/${repo}/${path}`;
}

export function basic(userPassword: string): string {
  return `Basic ${Buffer.from(userPassword).toString('base64')}`;
}

/** A static HTTP server on 127.0.0.1 (the upstream of raw proxies): files from a map, ETag and 304, request
 *  counts per path, and stop/start on the same port to play an outage. */
export class StaticUpstream {
  readonly files = new Map<string, Buffer>();
  readonly hits = new Map<string, number>();
  readonly conditional: string[] = [];
  /** Paths whose body stops half-way until the promise settles (a slow upstream). */
  readonly holds = new Map<string, Promise<void>>();
  private server: import('node:http').Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const { createServer } = await import('node:http');
    const { createHash } = await import('node:crypto');
    this.server = createServer((req, res) => {
      const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      const body = this.files.get(path);
      if (!body) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
      if (req.headers['if-none-match']) this.conditional.push(path);
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag }).end();
        return;
      }
      res.writeHead(200, { etag, 'content-length': body.length, 'content-type': path.endsWith('.txt') ? 'text/plain' : 'application/octet-stream' });
      // In chunks, so a large file takes a moment and concurrent requests overlap.
      let offset = 0;
      let hold = this.holds.get(path);
      const next = () => {
        while (offset < body.length) {
          if (hold && offset >= body.length / 2) {
            void hold.then(next);
            hold = undefined;
            return;
          }
          const chunk = body.subarray(offset, offset + 65536);
          offset += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', next);
        }
        res.end();
      };
      if (req.method === 'HEAD') res.end(); else next();
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
