// Wharf's start-to-ready time and idle memory, on its own (no Distribution, no load):
//   node bench/startup.mjs [--runs N] [--pin CPU] [--node-arg ARG ...] [--entry FILE (default bin/wharf.js)]
// Each run spawns `node bin/wharf.js serve` on an empty data directory (so the time includes creating the
// database and the admin user) and polls GET /service/rest/v1/status every 2 ms until the first 200. After
// the last run the server stays up 2 s more and its VmRSS is read, as bench/run.mjs does. Prints the
// median, min and max of the starts, the server's CPU time up to ready, and the idle RSS. Uses dist/ as built: run `npm run build` first.
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ADMIN_PASSWORD, ROOT, cpuSeconds, freePort, killAll, memory, spawnTracked, stop, waitReady } from './servers.mjs';

const { values: opts } = parseArgs({
  options: { runs: { type: 'string', default: '9' }, pin: { type: 'string' }, 'node-arg': { type: 'string', multiple: true, default: [] }, entry: { type: 'string', default: join(ROOT, 'bin', 'wharf.js') } },
});
const RUNS = Number(opts.runs);
const cpu = opts.pin === undefined ? undefined : Number(opts.pin);
const work = join(ROOT, 'bench', 'work', `startup-${process.pid}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

process.on('exit', () => { killAll(); rmSync(work, { recursive: true, force: true }); });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

/** One fresh server on an empty data directory: its child process and how long it took to answer 200. */
async function start(i) {
  const dir = join(work, `data-${i}`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const logFile = join(work, `wharf-${i}.log`);
  const t0 = performance.now();
  const child = spawnTracked(process.execPath, [...opts['node-arg'], opts.entry, 'serve'], {
    cpu, logFile,
    env: { WHARF_DATA: dir, WHARF_PORT: String(port), WHARF_HOST: '127.0.0.1', WHARF_ADMIN_PASSWORD: ADMIN_PASSWORD, WHARF_LOG_LEVEL: 'warn' },
  });
  const ready = await waitReady(child, `http://127.0.0.1:${port}/service/rest/v1/status`, logFile);
  return { child, ms: ready - t0, cpuMs: cpuSeconds(child.pid) * 1000 };
}

const starts = [];
const cpus = [];
let rss = 0;
for (let i = 0; i < RUNS; i++) {
  const s = await start(i);
  starts.push(s.ms);
  cpus.push(s.cpuMs);
  if (i === RUNS - 1) {
    await sleep(2000);
    rss = memory(s.child.pid).rss;
  }
  await stop(s.child);
}
const load = os.loadavg()[0].toFixed(2);
console.log(`start to ready (ms): median ${Math.round(median(starts))}, min ${Math.round(Math.min(...starts))}, max ${Math.round(Math.max(...starts))}`
  + ` over ${RUNS} starts${cpu === undefined ? '' : ` pinned to CPU ${cpu}`} [${starts.map(Math.round).join(', ')}]`);
// CPU time (user + system, all threads, 10 ms ticks) moves much less than wall time when other work competes.
console.log(`CPU time to ready (ms): median ${Math.round(median(cpus))} [${cpus.map(Math.round).join(', ')}]`);
console.log(`idle RSS 2 s after ready: ${(rss / 1e6).toFixed(1)} MB`);
console.log(`load average (1 min) at the end: ${load}`);
