// Runs wrk (one thread, on the bench's own CPU) against a URL and returns its summary from manifest.lua.
import { join } from 'node:path';
import { MANIFEST_ACCEPT } from './client.mjs';
import { spawnTracked } from './servers.mjs';
import { readFileSync } from 'node:fs';

/** `wrk -t1 -c<connections> -d<seconds>s --latency`, sending `method` (GET or HEAD). A 10 s timeout (wrk's
 *  default is 2 s) so that slow answers count in the latency instead of vanishing as "timeouts"; throws on
 *  non-2xx answers, reports socket errors. */
export async function wrk(url, { connections, seconds, logFile, method = 'GET' }) {
  const child = spawnTracked('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency', '-s', join(import.meta.dirname, 'manifest.lua'), url], {
    logFile, env: { BENCH_ACCEPT: MANIFEST_ACCEPT, BENCH_METHOD: method },
  });
  const { code } = await child.exited;
  const out = readFileSync(logFile, 'utf8');
  const line = out.split('\n').filter((l) => l.startsWith('BENCH ')).at(-1);
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${out.slice(-2000)}`);
  const r = JSON.parse(line.slice(6));
  if (r.non2xx) throw new Error(`wrk against ${url}: ${r.non2xx} non-2xx answers`);
  return { rps: r.requests / (r.duration_us / 1e6), p50ms: r.p50_us / 1000, p99ms: r.p99_us / 1000, requests: r.requests, errors: r.errors };
}
