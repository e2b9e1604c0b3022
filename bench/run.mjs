// Wharf vs Distribution (Debian's docker-registry), side by side on loopback, in one run.
//   npm run bench [-- --quick] [-- --out FILE] [-- --no-pin]
// Prints a Markdown table of Wharf/Distribution ratios and writes it to bench/results/<date>.md.
// See bench/README.md for what each figure means and how the run is kept fair.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, writeSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MiB, Registry, MANIFEST_ACCEPT, makeBlob, request } from './client.mjs';
import { ROOT, cpuSeconds, diskReadBytes, kinds, killAll, memory, stop } from './servers.mjs';
import { wrk } from './wrk.mjs';

const { values: opts } = parseArgs({ options: { quick: { type: 'boolean' }, out: { type: 'string' }, 'no-pin': { type: 'boolean' } } });
const quick = Boolean(opts.quick);
const BIG = quick ? 100 * MiB : 1024 * MiB; // the "1 GiB" blob
const SMALL = quick ? 10 * MiB : 100 * MiB; // for the memory-flatness comparison
const CHUNK = quick ? 8 * MiB : 64 * MiB; // PATCH size of the chunked push (a whole number of MiB)
const WRK = { connections: 64, seconds: quick ? 3 : 10, warmup: quick ? 1 : 3 };
const STARTS = 5;
const PUSHES = 3; // monolithic big pushes per server, alternating servers, each a new blob; median reported
const PULLS = 5; // timed pulls per server, after one untimed pull; median reported
const SETTLE_MS = quick ? 1000 : 3000; // pause after `sync` before a push: lets the (virtual) disk drain its cache
// /v2/docker-hosted/bench/...: Wharf's hosted repository by path routing (never a group or proxy); for
// Distribution just a two-segment name. Same URLs on both.
const IMAGE = 'docker-hosted/bench';
const ORDER = ['distribution', 'wharf'];

const work = join(ROOT, 'bench', 'work', `run-${process.pid}`);
const log = (...a) => console.error('[bench]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Never leave a registry running or a few GiB of blobs behind, whatever way we exit.
process.on('exit', () => { killAll(); rmSync(work, { recursive: true, force: true }); });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { log(`${sig}: stopping`); process.exit(130); });

/** Builds dist/ when it is missing or older than src/. */
function ensureBuilt() {
  const main = join(ROOT, 'dist', 'cli', 'main.js');
  const newest = (dir) => Math.max(...readdirSync(dir, { recursive: true }).map((f) => statSync(join(dir, f)).mtimeMs));
  if (existsSync(main) && statSync(main).mtimeMs >= newest(join(ROOT, 'src'))) return;
  log('building Wharf (npm run build)');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
}

/** On a machine with 2+ cores: this process (the client, and wrk, which inherits it) on CPU 0, servers on CPU 1. */
function pinClient() {
  if (opts['no-pin'] || os.availableParallelism() < 2) return undefined;
  const r = spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  return r.status === 0 ? 1 : undefined;
}

/** 1-minute load average: anything else running skews a benchmark on 2 cores, so the report shows it. */
const loadavg = () => os.loadavg()[0].toFixed(2);

/** Share of all CPUs busy over one second, before we start anything: should be ~0 for a fair run. */
async function busyPercent() {
  const sample = () => {
    const [, ...t] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    return { idle: t[3] + t[4], total: t.reduce((a, b) => a + b, 0) };
  };
  const a = sample();
  await sleep(1000);
  const b = sample();
  return (100 * (1 - (b.idle - a.idle) / (b.total - a.total))).toFixed(0);
}

function machine() {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  const dist = execFileSync('/usr/bin/docker-registry', ['--version'], { encoding: 'utf8' }).trim().split(/\s+/).slice(1).join(' ');
  const wharfVersion = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  let commit = '';
  try {
    const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    commit = git('rev-parse', '--short', 'HEAD');
    if (git('status', '--porcelain', '--', 'src', 'package.json')) commit += ' + uncommitted changes';
  } catch { /* not a checkout */ }
  return `nproc ${os.availableParallelism()}, ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${os.release()}, `
    + `Node ${process.version}, Distribution ${dist}, Wharf ${wharfVersion}${commit ? ` (${commit})` : ''}`;
}

/** What the disk allows: `blob` written to a file and fsynced, as both servers do before answering a push (MB/s). */
function diskBaseline(blob) {
  const file = join(work, 'disk-baseline');
  const t0 = performance.now();
  const fd = openSync(file, 'w');
  for (let i = 0; i < blob.size / MiB; i++) writeSync(fd, blob.buf);
  fsyncSync(fd);
  closeSync(fd);
  const mbps = blob.size / ((performance.now() - t0) / 1000) / 1e6;
  rmSync(file);
  return mbps;
}

/** Flushes dirty pages so that one server's write-back never lands in the other's measurement. */
function flush() {
  spawnSync('sync');
}

async function main() {
  ensureBuilt();
  const machineLine = machine(); // before pinning, which hides the other core from this process
  const serverCpu = pinClient();
  mkdirSync(work, { recursive: true });
  const busy = await busyPercent();
  const loadStart = loadavg();
  log(machineLine);
  log(`CPUs ${busy} % busy before the run, load average ${loadStart}`);
  if (Number(busy) > 10) log('WARNING: something else is using the CPUs; the figures will be skewed');
  log(serverCpu === undefined ? 'not pinning CPUs' : `pinned: client + wrk on CPU 0, servers on CPU ${serverCpu}`);

  log(`generating blobs and their digests (${BIG / MiB} MiB)`);
  const small = makeBlob(SMALL, 1);
  const bigs = Array.from({ length: PUSHES }, (_, i) => makeBlob(BIG, 10 + i));
  const big = bigs[0];
  const bigChunked = makeBlob(BIG, 3);
  const disk = diskBaseline(big);
  log(`disk: write ${BIG / MiB} MiB + fsync at ${disk.toFixed(0)} MB/s`);

  const R = { wharf: {}, distribution: {} };

  // Start to ready: spawn to the first 200, each on an empty data directory, alternating servers.
  for (let i = 0; i < STARTS; i++) {
    for (const k of ORDER) {
      const s = await kinds[k].start(join(work, `${k}-start-${i}`), serverCpu);
      (R[k].starts ??= []).push(s.startMs);
      await stop(s.child);
    }
  }
  for (const k of ORDER) { R[k].startMs = median(R[k].starts); log(`${k}: start to ready ${R[k].starts.map(Math.round).join(', ')} ms`); }

  // The two servers of the rest of the run, side by side; only one is ever under load at a time.
  const srv = {};
  for (const k of ORDER) {
    const s = await kinds[k].start(join(work, k), serverCpu);
    srv[k] = { ...s, reg: new Registry(s.base, s.auth), pid: s.child.pid };
  }
  await sleep(2000);
  for (const k of ORDER) { R[k].idleRss = memory(srv[k].pid).rss; log(`${k}: idle RSS ${(R[k].idleRss / 1e6).toFixed(1)} MB`); }

  /** Runs `fn` against each server in turn, after flushing the disk and pinging (which also warms logins).
   *  Repetition `rep` alternates which server goes first, so neither always follows the other's writes. */
  const each = async (fn, { rep = 0, settle = 0 } = {}) => {
    for (const k of rep % 2 ? [...ORDER].reverse() : ORDER) {
      flush();
      await sleep(settle);
      await srv[k].reg.ping();
      await fn(k, srv[k]);
    }
  };

  // The image whose manifest wrk reads; check both answer the tag with the pushed digest.
  await each(async (k, s) => {
    const digest = await s.reg.pushSmallImage(IMAGE, 'bench');
    const res = await request(s.reg.url(`/v2/${IMAGE}/manifests/bench`), { headers: { accept: MANIFEST_ACCEPT } });
    if (res.status !== 200 || res.headers['docker-content-digest'] !== digest) throw new Error(`${k}: GET manifest by tag: HTTP ${res.status}, digest ${res.headers['docker-content-digest']}`);
  });

  // Small, then big push: throughput of the big one; peak RSS after each shows whether memory grows with blob size.
  await each(async (k, s) => {
    await s.reg.pushMonolithic(IMAGE, small);
    R[k].hwmSmall = memory(s.pid).hwm;
  });
  for (const [rep, blob] of bigs.entries()) {
    await each(async (k, s) => {
      const cpu = cpuSeconds(s.pid);
      (R[k].pushes ??= []).push(BIG / (await s.reg.pushMonolithic(IMAGE, blob)) / 1e6);
      (R[k].pushCpus ??= []).push((cpuSeconds(s.pid) - cpu) / (BIG / 2 ** 30));
      R[k].hwmBig ??= memory(s.pid).hwm;
    }, { rep, settle: SETTLE_MS });
  }
  for (const k of ORDER) {
    R[k].push = median(R[k].pushes);
    R[k].pushCpu = median(R[k].pushCpus);
    log(`${k}: push ${R[k].pushes.map((x) => x.toFixed(0)).join(', ')} MB/s, CPU ${R[k].pushCpus.map((x) => x.toFixed(2)).join(', ')} s/GiB, VmHWM ${(R[k].hwmSmall / 1e6).toFixed(1)} -> ${(R[k].hwmBig / 1e6).toFixed(1)} MB`);
  }
  // Pull the big blob: once untimed (brings it into the page cache), then PULLS times; the median is reported.
  await each((k, s) => s.reg.pull(IMAGE, big));
  for (let rep = 0; rep < PULLS; rep++) {
    await each(async (k, s) => {
      const [cpu, disk] = [cpuSeconds(s.pid), diskReadBytes(s.pid)];
      (R[k].pulls ??= []).push(BIG / (await s.reg.pull(IMAGE, big)) / 1e6);
      (R[k].pullCpus ??= []).push((cpuSeconds(s.pid) - cpu) / (BIG / 2 ** 30));
      R[k].pullDisk = (R[k].pullDisk ?? 0) + diskReadBytes(s.pid) - disk; // should stay ~0: served from page cache
    }, { rep });
  }
  for (const k of ORDER) {
    R[k].pull = median(R[k].pulls);
    R[k].pullCpu = median(R[k].pullCpus);
    R[k].hwmPeak = memory(srv[k].pid).hwm;
    log(`${k}: pull ${R[k].pulls.map((x) => x.toFixed(0)).join(', ')} MB/s, CPU ${R[k].pullCpus.map((x) => x.toFixed(2)).join(', ')} s/GiB, ${(R[k].pullDisk / 1e6).toFixed(0)} MB read from disk, VmHWM ${(R[k].hwmPeak / 1e6).toFixed(1)} MB`);
  }
  // Another big blob (new digest) in PATCH chunks, as resumable clients do.
  await each(async (k, s) => {
    R[k].pushChunked = BIG / (await s.reg.pushChunked(IMAGE, bigChunked, CHUNK)) / 1e6;
    log(`${k}: chunked push ${R[k].pushChunked.toFixed(0)} MB/s`);
  }, { settle: SETTLE_MS });
  await each(async (k, s) => {
    const url = s.reg.url(`/v2/${IMAGE}/manifests/bench`);
    await wrk(url, { ...WRK, seconds: WRK.warmup, logFile: join(work, `wrk-${k}-warmup.log`) }); // JIT, caches
    const cpu = cpuSeconds(s.pid);
    const r = await wrk(url, { ...WRK, logFile: join(work, `wrk-${k}.log`) });
    const getCpu = ((cpuSeconds(s.pid) - cpu) / r.requests) * 1e6;
    Object.assign(R[k], { rps: r.rps, p50: r.p50ms, p99: r.p99ms, wrkErrors: r.errors, getCpu });
    log(`${k}: manifest GET ${r.rps.toFixed(0)} req/s, p50 ${r.p50ms.toFixed(2)} ms, p99 ${r.p99ms.toFixed(2)} ms, ${r.errors} socket errors`);
  });
  for (const k of ORDER) await stop(srv[k].child);

  const load = `CPUs ${busy} % busy just before the run; load average ${loadStart} at start, ${loadavg()} at the end`;
  const report = table(R, machineLine, serverCpu, load, disk);
  process.stdout.write(report);
  const date = new Date().toISOString().slice(0, 10);
  const out = opts.out ?? join(ROOT, 'bench', 'results', `${date}${quick ? '-quick' : ''}.md`);
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, report);
  log(`written to ${out}`);
}

function table(R, machineLine, serverCpu, load, disk) {
  const W = R.wharf;
  const D = R.distribution;
  const size = (b) => (b >= 1024 * MiB ? `${b / 1024 / MiB} GiB` : `${b / MiB} MiB`);
  const mb = (b) => b / 1e6;
  const errs = (w, d) => (w.wrkErrors || d.wrkErrors ? ` (socket errors: Wharf ${w.wrkErrors}, Distribution ${d.wrkErrors})` : '');
  const flatGrowth = (x) => (x.hwmBig - x.hwmSmall) / x.hwmSmall;
  const pct = (100 * flatGrowth(W)).toFixed(1);
  const growth = `${pct.startsWith('-') ? (Number(pct) === 0 ? '+0.0' : pct) : `+${pct}`} %`;
  // [metric, wharf, distribution, decimals, target text, met (undefined: no target)]
  const rows = [
    [`push ${size(BIG)}, POST + monolithic PUT, median of ${PUSHES} (MB/s)`, W.push, D.push, 0, '≥ 2× Distribution', W.push >= 2 * D.push],
    [`push ${size(BIG)}, PATCH ${size(CHUNK)} chunks + PUT (MB/s)`, W.pushChunked, D.pushChunked, 0, '—'],
    [`pull ${size(BIG)}, median of ${PULLS} after a warm-up pull (MB/s)`, W.pull, D.pull, 0, '≥ 1× Distribution', W.pull >= D.pull],
    ['server CPU time per GiB pushed, median (s)', W.pushCpu, D.pushCpu, 2, '—'],
    ['server CPU time per GiB pulled, median (s)', W.pullCpu, D.pullCpu, 2, '—'],
    [`manifest GET by tag, ${WRK.connections} conns, ${WRK.seconds} s (req/s)${errs(W, D)}`, W.rps, D.rps, 0, '≥ 5× Distribution', W.rps >= 5 * D.rps],
    ['server CPU time per manifest GET (µs)', W.getCpu, D.getCpu, 0, '—'],
    ['manifest GET latency p50 (ms)', W.p50, D.p50, 2, '—'],
    ['manifest GET latency p99 (ms)', W.p99, D.p99, 2, '—'],
    [`start to ready, median of ${STARTS} (ms)`, W.startMs, D.startMs, 0, '< 1000 ms', W.startMs < 1000],
    ['idle RSS after start (MB)', mb(W.idleRss), mb(D.idleRss), 1, '< 120 MB', W.idleRss < 120e6],
    [`peak RSS (VmHWM) after ${size(SMALL)} push (MB)`, mb(W.hwmSmall), mb(D.hwmSmall), 1, '—'],
    [`peak RSS (VmHWM) after ${size(BIG)} push (MB)`, mb(W.hwmBig), mb(D.hwmBig), 1, `flat: ≤ +10 % over ${size(SMALL)} (${growth})${quick ? '; judged in full mode only' : ''}`,
      quick ? undefined : flatGrowth(W) <= 0.1], // 10 MiB is still inside the warm-up of heap and buffers
    [`peak RSS (VmHWM) after ${size(BIG)} push + pull (MB)`, mb(W.hwmPeak), mb(D.hwmPeak), 1, '—'],
  ];
  const f = (x, d) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const lines = [
    `# Wharf vs Distribution${quick ? ' (--quick)' : ''}, ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
    '',
    `Machine: ${machineLine}; ${load}.`,
    serverCpu === undefined
      ? 'CPUs not pinned.'
      : `Each server pinned to CPU ${serverCpu} (taskset), the client and wrk (1 thread) to CPU 0; one server under load at a time.`,
    `Disk: writing ${size(BIG)} + fsync from the client process ran at ${disk.toFixed(0)} MB/s, the ceiling for a push (both servers fsync a blob before answering).`,
    'MB = 10^6 bytes. Ratio = Wharf / Distribution (higher is better for MB/s and req/s, lower for ms and MB).',
    '',
    '| metric | Wharf | Distribution | ratio | target | met? |',
    '| --- | ---: | ---: | ---: | --- | --- |',
    ...rows.map(([name, w, d, dec, target, met]) =>
      `| ${name} | ${f(w, dec)} | ${f(d, dec)} | ${(w / d).toFixed(2)} | ${target} | ${met === undefined ? '' : met ? 'yes' : '**no**'} |`),
    '',
  ];
  return lines.join('\n');
}

// Explicit exits: the 'exit' handler above then stops whatever server is still running.
main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
