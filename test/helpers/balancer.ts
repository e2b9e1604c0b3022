// HAProxy (Debian's) as a plain-HTTP round-robin load balancer in front of several Wharf nodes, for the
// scale-out tests: every request is balanced on its own (`option http-server-close`), so the requests of one
// upload land on different nodes; a health check on /service/rest/v1/status takes a dead node out, and
// `option redispatch` sends a request whose connection failed to another node; a node dying mid-request
// shows as a dropped connection (see errorfile below).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './images.js';
import { freePort } from './free-port.js';

export interface Balancer {
  url: string;
  host: string;
  stop(): Promise<void>;
}

export async function startBalancer(dir: string, backendPorts: number[]): Promise<Balancer> {
  const port = await freePort();
  const config = join(dir, 'haproxy.cfg');
  await writeFile(config, [
    'global',
    '  maxconn 512',
    'defaults',
    '  mode http',
    '  option http-server-close', // close the server side after each response: the next request is balanced anew
    '  option redispatch',
    '  retries 3',
    // A node dying mid-request: close the client's connection instead of answering 502, so clients see
    // what they treat as a retryable network error (skopeo's --retry-times) rather than a final HTTP error.
    '  errorfile 502 /dev/null',
    '  timeout connect 2s',
    '  timeout client 120s',
    '  timeout server 120s',
    'frontend wharf',
    `  bind 127.0.0.1:${port}`,
    '  option forwardfor',
    '  default_backend nodes',
    'backend nodes',
    '  balance roundrobin',
    '  option httpchk GET /service/rest/v1/status',
    ...backendPorts.map((p, i) => `  server node${i + 1} 127.0.0.1:${p} check inter 300ms fall 1 rise 2`),
    '',
  ].join('\n'));
  await run('/usr/sbin/haproxy', ['-c', '-f', config]);
  const child: ChildProcess = spawn('/usr/sbin/haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
    if (await fetch(`${url}/service/rest/v1/status`).then((r) => r.status === 200, () => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`haproxy did not answer in 10 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, host: `127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
