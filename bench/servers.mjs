// Starting, probing and stopping the two servers. Every child is tracked so that an error, Ctrl-C or a normal
// exit never leaves a registry running.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const ADMIN_PASSWORD = 'bench-admin-password';
const children = new Set();

/** Kills every child still running (synchronous, so it also works from an 'exit' handler). */
export function killAll() {
  for (const child of children) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  children.clear();
}

/** Spawns `cmd args` (under `taskset -c <server cpu>` when pinning), output to `logFile`. */
export function spawnTracked(cmd, args, { env, logFile, cpu } = {}) {
  const fd = openSync(logFile, 'a');
  const [file, argv] = cpu !== undefined ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  children.add(child);
  child.exited = new Promise((r) => child.once('exit', (code, signal) => { children.delete(child); r({ code, signal }); }));
  return child;
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer().once('error', rej).listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** Status of one GET (fresh connection each time: we are probing a process that is still starting). */
function probe(url) {
  return new Promise((res) => {
    const req = http.get(url, { agent: false, timeout: 1000 }, (r) => { r.resume(); r.on('end', () => res(r.statusCode)); });
    req.on('error', () => res(0));
    req.on('timeout', () => { req.destroy(); res(0); });
  });
}

/** Polls `url` every 2 ms until it answers 200; throws if the child exits first or after `limitMs`. */
export async function waitReady(child, url, logFile, limitMs = 30_000) {
  const t0 = performance.now();
  let exited = false;
  child.exited.then(() => { exited = true; });
  while (performance.now() - t0 < limitMs) {
    if ((await probe(url)) === 200) return performance.now();
    if (exited) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  const log = readFileSync(logFile, 'utf8').slice(-2000);
  throw new Error(`${url} not ready after ${Math.round(performance.now() - t0)} ms${exited ? ' (process exited)' : ''}\n${log}`);
}

export async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await child.exited;
  clearTimeout(timer);
}

/** VmRSS and VmHWM (peak RSS) of a process, in bytes. */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)[1]) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** CPU time (user + system, all threads) a process has used so far, in seconds. Unlike throughput, this hardly
 *  moves when something else competes for the CPU or the disk. */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Bytes a process has had read from the block device so far (0 for page-cache hits). */
export function diskReadBytes(pid) {
  return Number(/^read_bytes: (\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))[1]);
}

/** How to run each server. `start(dir, cpu)` returns a running server on a fresh port with its data in `dir`.
 *  Wharf also takes `{ config, entry }`: the text of the wharf.yaml written into its data directory first,
 *  and the script to run instead of bin/wharf.js. */
export const kinds = {
  wharf: {
    label: 'Wharf',
    async start(dir, cpu, { config, entry } = {}) {
      mkdirSync(dir, { recursive: true });
      if (config !== undefined) writeFileSync(join(dir, 'wharf.yaml'), config);
      const port = await freePort();
      const logFile = join(dir, '..', `${dir.split('/').at(-1)}.log`);
      const t0 = performance.now();
      const child = spawnTracked(process.execPath, [entry ?? join(ROOT, 'bin', 'wharf.js'), 'serve'], {
        cpu, logFile,
        // warn: like Distribution below, no per-request access log (Wharf's default 'info' logs every request).
        env: { WHARF_DATA: dir, WHARF_PORT: String(port), WHARF_HOST: '127.0.0.1', WHARF_ADMIN_PASSWORD: ADMIN_PASSWORD, WHARF_LOG_LEVEL: 'warn' },
      });
      const base = `http://127.0.0.1:${port}`;
      const ready = await waitReady(child, `${base}/service/rest/v1/status`, logFile);
      return { child, base, startMs: ready - t0, auth: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` };
    },
  },
  distribution: {
    label: 'Distribution',
    async start(dir, cpu) {
      mkdirSync(join(dir, 'storage'), { recursive: true });
      const port = await freePort();
      const logFile = join(dir, '..', `${dir.split('/').at(-1)}.log`);
      // Debian's stock config (filesystem driver, in-memory blob descriptor cache) minus auth, with no access log.
      writeFileSync(join(dir, 'config.yml'), [
        'version: 0.1',
        'log: { level: warn, accesslog: { disabled: true } }',
        `storage: { filesystem: { rootdirectory: ${join(dir, 'storage')} }, cache: { blobdescriptor: inmemory } }`,
        `http: { addr: "127.0.0.1:${port}", secret: bench-secret }`,
        '',
      ].join('\n'));
      const t0 = performance.now();
      const child = spawnTracked('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { cpu, logFile });
      const base = `http://127.0.0.1:${port}`;
      const ready = await waitReady(child, `${base}/v2/`, logFile);
      return { child, base, startMs: ready - t0, auth: undefined };
    },
  },
};
